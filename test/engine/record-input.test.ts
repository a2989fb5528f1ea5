/**
 * The record input path under awkward chunking: records (and record headers)
 * cut at every possible place, many records per chunk, and input fed to a
 * connection while it is still processing the previous chunk (synchronous
 * re-entry). Connection.receive completes a cut record in a record-sized
 * buffer and parses the rest of a chunk in place; these check that nothing is
 * lost, duplicated or reordered, and that limits still hold.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certified, connectPair, handshakeBoth, settle, until, type Pair } from '../helpers/pair.js';
import { createServerConnection, serverConfig } from '../../src/engine.js';
import type { TLSError } from '../../src/errors.js';

const T = { timeout: 20_000 };
const alertOf = (seen: { err?: TLSError }): string | undefined => seen.err?.alert?.name;

/** Deterministic pseudo-random chunk sizes (xorshift). */
function chunker(seed: number, max: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = (x >>> 0) % 10;
    // Mostly tiny chunks (cut headers), sometimes large ones (many records at once).
    return r < 4 ? 1 + ((x >>> 8) % 7) : r < 8 ? 1 + ((x >>> 8) % 1500) : 1 + ((x >>> 8) % max);
  };
}

function pattern(n: number, salt: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + salt) & 0xff;
  return b;
}

/** Every flight in both directions delivered in chunks from `next`, asynchronously and in order. */
function chunked(holder: { pair?: Pair }, next: () => number): NonNullable<Pair['tamper']> {
  return (from, bytes) => {
    for (let off = 0; off < bytes.length; ) {
      const n = Math.min(next(), bytes.length - off);
      const part = bytes.slice(off, off + n);
      // The target is looked up when delivering: the first flight is written before connectPair returns.
      queueMicrotask(() => (from === 'client' ? holder.pair!.server : holder.pair!.client).conn.receive(part));
      off += n;
    }
    return null;
  };
}

async function exchange(version: 'TLSv1.2' | 'TLSv1.3', seed: number): Promise<void> {
  const holder: { pair?: Pair } = {};
  const pair = connectPair({ minVersion: version, maxVersion: version }, {}, { tamper: chunked(holder, chunker(seed, 70_000)) });
  holder.pair = pair;
  await handshakeBoth(pair);
  const up = pattern(100_000, 1);
  const down = pattern(60_001, 2);
  for (let off = 0; off < up.length; off += 7_000) pair.client.conn.send(up.subarray(off, off + 7_000));
  pair.server.conn.send(down);
  for (let i = 0; i < 200 && (pair.server.received().length < up.length || pair.client.received().length < down.length); i++) await settle(5);
  assert.deepEqual(pair.server.received(), up);
  assert.deepEqual(pair.client.received(), down);
  assert.equal(pair.client.error, undefined);
  assert.equal(pair.server.error, undefined);
}

describe('record input', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`delivers a ${version} session cut into chunks of 1 byte to 70 KB intact`, T, async () => {
      for (const seed of [1, 7, 1234567]) await exchange(version, seed);
    });
  }

  it('delivers every byte when input arrives while the previous chunk is being processed', T, async () => {
    const pair = connectPair({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, {});
    await handshakeBoth(pair);
    // From now on, an ordered synchronous pipe in odd pieces. The server takes the next piece from
    // inside its data callback (a transport handing over more bytes mid-processing), and answers,
    // so both sides also send while they are receiving.
    const next = chunker(99, 5_000);
    const queues = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
    const busy = { client: false, server: false };
    pair.tamper = (from, bytes) => {
      const q = queues[from];
      for (let off = 0; off < bytes.length; ) {
        const n = Math.min(next(), bytes.length - off);
        q.push(bytes.slice(off, off + n));
        off += n;
      }
      if (busy[from]) return null;
      busy[from] = true;
      const to = from === 'client' ? pair.server : pair.client;
      while (q.length > 0) to.conn.receive(q.shift()!);
      busy[from] = false;
      return null;
    };
    const sink = (side: 'client' | 'server'): { data?: (b: Uint8Array) => void } => pair[side].conn.sink as { data?: (b: Uint8Array) => void };
    const serverData = sink('server').data!;
    let reentered = 0;
    sink('server').data = (b) => {
      serverData(b);
      const more = queues.client.shift();
      if (more !== undefined) {
        reentered++;
        pair.server.conn.receive(more);
      }
      pair.server.conn.send(Uint8Array.of(b.length & 0xff));
    };
    const payload = pattern(100_000, 3);
    // Queue every record first (as if they all arrived at once), then start the pipe.
    busy.client = true;
    for (let off = 0; off < payload.length; off += 9_999) pair.client.conn.send(payload.subarray(off, off + 9_999));
    busy.client = false;
    while (queues.client.length > 0) pair.server.conn.receive(queues.client.shift()!);
    await settle(10);
    assert.ok(reentered > 0, 'the server was fed while processing');
    assert.deepEqual(pair.server.received(), payload);
    assert.equal(pair.server.error, undefined);
    assert.equal(pair.client.error, undefined);
  });

  it('refuses an oversized record whose header arrives one byte at a time (record_overflow)', T, async () => {
    const seen: { err?: TLSError } = {};
    const conn = createServerConnection(serverConfig({ certificates: [certified('server-p256')] }), { write: () => {}, error: (e) => (seen.err = e) });
    conn.start();
    await settle();
    for (const b of [0x16, 0x03, 0x03, 0x48]) conn.receive(Uint8Array.of(b));
    assert.equal(seen.err, undefined);
    conn.receive(Uint8Array.of(0x01));
    assert.equal(alertOf(seen), 'record_overflow');
  });

  it('waits for a record cut right after its header, then processes it whole', T, async () => {
    const seen: { err?: TLSError } = {};
    const conn = createServerConnection(serverConfig({ certificates: [certified('server-p256')] }), { write: () => {}, error: (e) => (seen.err = e) });
    conn.start();
    await settle();
    // A handshake record announcing 4 bytes: a ClientHello header claiming a 0-byte body.
    conn.receive(Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0x04));
    await settle();
    assert.equal(seen.err, undefined, 'nothing judged before the record is complete');
    conn.receive(Uint8Array.of(0x01, 0x00, 0x00));
    await settle();
    assert.equal(seen.err, undefined);
    conn.receive(Uint8Array.of(0x00));
    await settle();
    assert.equal(alertOf(seen), 'decode_error', 'the empty ClientHello is judged once whole');
  });

  it('gathers input trickled one byte at a time while the handshake waits into one growing buffer, and parses it intact', T, async () => {
    // The client's verifier answers only when told: meanwhile the rest of the server's flight
    // (CertificateVerify, Finished) arrives a byte per receive() and piles up unparsed. Each
    // byte used to be concatenated onto all the bytes before it (O(n^2) copying: a 200 KB
    // trickle cost 2 s of CPU); now they go into one buffer whose capacity doubles.
    let release!: () => void;
    const verified = new Promise<void>((r) => (release = r));
    const holder: { pair?: Pair } = {};
    const pair = connectPair(
      { minVersion: 'TLSv1.3', verifyPeer: async () => (await verified, { valid: true }) },
      { certificates: [certified('server-rsa')] },
      { tamper: chunked(holder, () => 1) },
    );
    holder.pair = pair;
    const conn = pair.client.conn;
    const tail = (): Uint8Array => (conn as unknown as { intail: Uint8Array }).intail;
    const buffers = new Set<ArrayBufferLike>();
    let piledUp = 0;
    const receive = conn.receive.bind(conn);
    conn.receive = (b: Uint8Array): void => {
      receive(b);
      if (tail().length > 0) {
        piledUp++;
        buffers.add(tail().buffer);
      }
    };
    for (let i = 0; i < 200 && piledUp < 200; i++) await settle(1);
    assert.ok(piledUp >= 200, `bytes piled up while the verifier waited (${piledUp})`);
    assert.ok(buffers.size <= 4, `${piledUp} single bytes gathered in ${buffers.size} buffers`);
    release();
    await handshakeBoth(pair);
    pair.server.conn.send(pattern(3_000, 5));
    await until(() => pair.client.received().length === 3_000, 'data after the handshake');
    assert.deepEqual(pair.client.received(), pattern(3_000, 5));
  });
});

