/**
 * Output buffers for sealed records.
 *
 * Allocating a fresh ArrayBuffer per record costs more than sealing a small
 * one (allocation, first-touch page faults, then finalization and
 * external-memory accounting in the GC). Two remedies:
 *
 * - Small outputs are carved from shared 64 KiB slabs (as Node's own Buffer
 *   pool does). A region is never handed out twice; a slab is freed by the GC
 *   once nothing cut from it is referenced.
 * - Full-record buffers can be reused: an adapter whose transport copies the
 *   bytes before its write callback (a net.Socket: the kernel has them) gives
 *   each buffer back with {@link releaseRecordBytes}, and the next record is
 *   sealed into it. Only buffers handed out by {@link reusableRecordBytes}
 *   and not yet released are taken back, so a stray or double release is
 *   ignored rather than shared.
 */
import { MAX_CIPHERTEXT_LENGTH, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../limits.js';

const align8 = (n: number): number => (n + 7) & ~7;
/**
 * Four full decrypted records per slab (~64 KiB). A TLS 1.3 record opens to
 * 2^14 + 1 bytes (the inner content type follows the data): with a slab of
 * exactly 64 KiB only three fitted, and the fourth cost a fresh slab, which
 * measured ~20% of a 16 KiB-record receive's CPU in allocation and GC.
 */
const SLAB_SIZE = 4 * align8(MAX_PLAINTEXT_LENGTH + 1);
/** Larger requests get their own buffer (a slab would waste most of itself). */
const MAX_CARVE = SLAB_SIZE / 2;

let slab: Uint8Array = new Uint8Array(0);
let used = 0;

/** `length` bytes, not zeroed: the caller overwrites every byte it hands out. */
export function recordBytes(length: number): Uint8Array {
  if (length > MAX_CARVE) return allocate(length);
  if (slab.length - used < length) {
    slab = allocate(SLAB_SIZE);
    used = 0;
  }
  const out = slab.subarray(used, used + length);
  // Keep every record 8-byte aligned (cheap, and friendlier to the copies below us).
  used += align8(length);
  return out;
}

/** Room for any one record: header plus the largest protected fragment. */
export const REUSABLE_RECORD_LENGTH = RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_LENGTH;
/** Below this, reusableRecordBytes carves from a slab instead. */
const MIN_REUSABLE = 4096;
/** Free buffers kept for reuse (shared by all connections): 32 × ~16.6 KiB. */
const POOL_LIMIT = 32;
const pool: ArrayBuffer[] = [];
const checkedOut = new WeakSet<ArrayBuffer>();

/**
 * `length` (≤ {@link REUSABLE_RECORD_LENGTH}) bytes at offset 0 of a reusable
 * buffer, not zeroed; give it back with {@link releaseRecordBytes} once the
 * transport no longer needs it (or never: the GC then takes it).
 */
export function reusableRecordBytes(length: number): Uint8Array {
  // Small outputs (handshake flights, alerts, short writes) are cheaper carved from a slab than
  // holding a whole record-sized buffer each, which also may never come back (a socket destroyed
  // with the write pending).
  if (length < MIN_REUSABLE) return recordBytes(length);
  if (length > REUSABLE_RECORD_LENGTH) return allocate(length);
  const ab = pool.pop() ?? new ArrayBuffer(REUSABLE_RECORD_LENGTH);
  checkedOut.add(ab);
  return new Uint8Array(ab, 0, length);
}

/** Return a buffer from {@link reusableRecordBytes}; anything else is ignored. */
export function releaseRecordBytes(bytes: Uint8Array): void {
  const ab = bytes.buffer;
  if (!(ab instanceof ArrayBuffer) || !checkedOut.has(ab)) return;
  checkedOut.delete(ab);
  if (pool.length < POOL_LIMIT) pool.push(ab);
}

function allocate(length: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(b.buffer, b.byteOffset, length);
}
