/**
 * The TLS 1.2 key derivation (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627;
 * RFC 5705): pure functions over a {@link CryptoProvider}'s HMAC.
 *
 *   PRF(secret, label, seed) = P_<hash>(secret, label + seed)
 *   P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC(secret, A(i-1))
 *
 * `hash` is the cipher suite's PRF hash (SHA-256 unless the suite says SHA-384).
 */
import type { CryptoProvider } from '../crypto/provider.js';
import type { HashName } from '../registry.js';
import { concat } from '../wire/writer.js';

/** RFC 5246 §5: PRF(secret, label, seed) truncated to `length` bytes. Labels are ASCII. */
export function prf12(p: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`bad PRF output length ${length}`);
  const out = new Uint8Array(length);
  // One buffer holds A(i) || label || seed: A(0) = label || seed is its tail, and
  // each block's HMAC input is the whole buffer once A(i) is written in front.
  const hashLen = PRF_HASH_LENGTH[hash];
  const buf = new Uint8Array(hashLen + label.length + seed.length);
  for (let i = 0; i < label.length; i++) buf[hashLen + i] = label.charCodeAt(i) & 0xff;
  buf.set(seed, hashLen + label.length);
  let a: Uint8Array = buf.subarray(hashLen); // A(0)
  for (let o = 0; o < length; ) {
    a = p.hmac(hash, secret, a); // A(i)
    if (a.length !== hashLen) throw new Error(`HMAC-${hash} returned ${a.length} bytes`);
    buf.set(a, 0);
    const block = p.hmac(hash, secret, buf);
    const n = Math.min(block.length, length - o);
    out.set(n === block.length ? block : block.subarray(0, n), o);
    o += n;
  }
  return out;
}

const PRF_HASH_LENGTH: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** The master secret length (RFC 5246 §8.1). */
export const MASTER_SECRET_LENGTH = 48;
/** verify_data length for every TLS 1.2 cipher suite we implement (RFC 5246 §7.4.9). */
export const VERIFY_DATA_LENGTH_12 = 12;

/** RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]. */
export function masterSecret12(
  p: CryptoProvider,
  hash: HashName,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Uint8Array {
  return prf12(p, hash, preMasterSecret, 'master secret', concat(clientRandom, serverRandom), MASTER_SECRET_LENGTH);
}

/**
 * RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47],
 * where session_hash is the transcript hash up to and including ClientKeyExchange.
 */
export function extendedMasterSecret12(p: CryptoProvider, hash: HashName, preMasterSecret: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  return prf12(p, hash, preMasterSecret, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/** The AEAD keys and implicit (fixed) IVs of a TLS 1.2 connection. */
export interface KeyBlock12 {
  clientWriteKey: Uint8Array;
  serverWriteKey: Uint8Array;
  clientWriteIv: Uint8Array;
  serverWriteIv: Uint8Array;
}

/**
 * RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion", server_random + client_random),
 * cut into client_write_MAC_key, server_write_MAC_key (both empty for AEAD suites),
 * client_write_key, server_write_key, client_write_IV, server_write_IV.
 * For AES-GCM (RFC 5288) fixedIvLength is 4; for ChaCha20-Poly1305 (RFC 7905) 12.
 */
export function keyExpansion12(
  p: CryptoProvider,
  hash: HashName,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  keyLength: number,
  fixedIvLength: number,
): KeyBlock12 {
  const block = prf12(p, hash, masterSecret, 'key expansion', concat(serverRandom, clientRandom), 2 * keyLength + 2 * fixedIvLength);
  let o = 0;
  const take = (n: number): Uint8Array => block.slice(o, (o += n));
  return {
    clientWriteKey: take(keyLength),
    serverWriteKey: take(keyLength),
    clientWriteIv: take(fixedIvLength),
    serverWriteIv: take(fixedIvLength),
  };
}

/**
 * RFC 5246 §7.4.9: verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11],
 * finished_label "client finished" or "server finished". `transcriptHash` is the
 * hash (with the PRF hash) of the handshake messages before this Finished.
 */
export function finishedVerifyData12(
  p: CryptoProvider,
  hash: HashName,
  masterSecret: Uint8Array,
  sender: 'client' | 'server',
  transcriptHash: Uint8Array,
): Uint8Array {
  return prf12(p, hash, masterSecret, `${sender} finished`, transcriptHash, VERIFY_DATA_LENGTH_12);
}

/**
 * RFC 5705 §4 keying material exporter:
 * PRF(master_secret, label, client_random + server_random [+ uint16 context_length + context]).
 * An absent context (undefined) differs from an empty one: the length field is left out.
 */
export function exportKeyingMaterial12(
  p: CryptoProvider,
  hash: HashName,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  const parts = [clientRandom, serverRandom];
  if (context !== undefined) {
    if (context.length > 0xffff) throw new RangeError('exporter context longer than 65535 bytes');
    parts.push(Uint8Array.of(context.length >> 8, context.length & 0xff), context);
  }
  return prf12(p, hash, masterSecret, label, concat(...parts), length);
}

/**
 * An RFC 5705 exporter bound to one session's secrets. Built here, outside the
 * handshake flows, so the closure a connection keeps after its handshake holds
 * only these values and not the flow's whole scope (transcript, hellos, keys).
 */
export function exporter12(
  p: CryptoProvider,
  hash: HashName,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): (length: number, label: string, context: Uint8Array | undefined) => Uint8Array {
  // One buffer of what it needs (master secret, client random, server random): the randoms are
  // often views into the hello messages, which would otherwise stay alive with the connection.
  const m = masterSecret.length;
  const c = clientRandom.length;
  const kept = new Uint8Array(m + c + serverRandom.length);
  kept.set(masterSecret, 0);
  kept.set(clientRandom, m);
  kept.set(serverRandom, m + c);
  return (length, label, context) => exportKeyingMaterial12(p, hash, kept.subarray(0, m), kept.subarray(m, m + c), kept.subarray(m + c), label, context, length);
}
