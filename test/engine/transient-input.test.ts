/**
 * Connection.receiveTransient: input in a buffer the caller overwrites as
 * soon as the call returns (what a socket reading into one reused buffer
 * gives). Nothing the engine keeps or hands out may point into it.
 * And copies that must be copies even when the caller hands in a Buffer
 * (whose slice() is a view, not a copy).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultProvider } from '../../src/crypto/node.js';
import { TicketKeys } from '../../src/handshake/tickets.js';
import { closeBoth, connectPair, handshakeBoth, until, type Pair } from '../helpers/pair.js';
import { payload } from '../helpers/openssl.js';

/** One scratch buffer for every delivery, wiped after each call, in pieces that cut records anywhere. */
const scratch = new Uint8Array(777);
function deliverTransient(pair: Pair, from: 'client' | 'server', bytes: Uint8Array): void {
  const to = from === 'client' ? pair.server : pair.client;
  for (let off = 0; off < bytes.length; off += scratch.length) {
    const n = Math.min(scratch.length, bytes.length - off);
    scratch.set(bytes.subarray(off, off + n));
    to.conn.receiveTransient(scratch.subarray(0, n));
    scratch.fill(0xee);
  }
}


describe('receiveTransient', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: handshake, 100 KB each way and close_notify through one reused, wiped buffer`, { timeout: 15_000 }, async () => {
      let pair: Pair | undefined;
      const transient = (from: 'client' | 'server', bytes: Uint8Array): null => {
        const copy = new Uint8Array(bytes);
        queueMicrotask(() => deliverTransient(pair!, from, copy));
        return null;
      };
      pair = connectPair({ minVersion: version, maxVersion: version }, { minVersion: version, maxVersion: version }, { tamper: transient });
      const [cs] = await handshakeBoth(pair);
      assert.equal(cs.version, version);
      const up = payload(100_000, 13);
      const down = payload(100_001, 17);
      pair.client.conn.send(up);
      pair.server.conn.send(down);
      await until(() => pair!.server.received().length >= up.length && pair!.client.received().length >= down.length, 'application data');
      // The chunks handed out earlier are still intact after the scratch buffer was wiped many times.
      assert.ok(Buffer.from(pair.server.received()).equals(up));
      assert.ok(Buffer.from(pair.client.received()).equals(down));
      assert.ok(cs.peerCertificates.length > 0 && cs.peerCertificates[0]![0] === 0x30, 'the peer certificate survived too');
      await closeBoth(pair);
    });
  }
});

describe('copies of caller buffers', () => {
  it('TicketKeys keeps its own copy of a Buffer it is given, and hands out copies', () => {
    const given = Buffer.alloc(48, 7);
    const keys = new TicketKeys(defaultProvider, { keys: given });
    given.fill(0);
    assert.ok(Buffer.from(keys.getTicketKeys()).equals(Buffer.alloc(48, 7)), 'not a view of the caller Buffer');
    const out = keys.getTicketKeys();
    out.fill(1);
    assert.ok(Buffer.from(keys.getTicketKeys()).equals(Buffer.alloc(48, 7)), 'not a view of the live key');
  });
});
