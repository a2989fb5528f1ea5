/**
 * A TLS 1.3 peer flooding KeyUpdate(update_requested) (issue 11, item 4):
 * requests that arrive together get one answer (RFC 8446 §4.6.3), and more
 * than MAX_KEY_UPDATES_WITHOUT_DATA KeyUpdates with no application data in
 * between end the connection with unexpected_message, as BoringSSL does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectPair, handshakeBoth, settle, until, type Pair } from '../helpers/pair.js';
import { MAX_KEY_UPDATES_WITHOUT_DATA } from '../../src/limits.js';
import { HandshakeType } from '../../src/registry.js';

const T = { timeout: 15_000 };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function keyUpdatesSent(pair: Pair, side: 'client' | 'server'): number {
  return pair[side].trace.filter((e) => e.kind === 'handshake' && e.direction === 'sent' && e.message![0] === HandshakeType.key_update).length;
}

async function established(): Promise<Pair> {
  const pair = connectPair({ maxVersion: 'TLSv1.3', trace: true }, { trace: true });
  await handshakeBoth(pair);
  pair.client.conn.send(enc('hello'));
  await until(() => pair.server.received().length === 5, 'first data');
  return pair;
}

describe('TLS 1.3 KeyUpdate flood', () => {
  it('answers many update requests that arrive together with a single KeyUpdate', T, async () => {
    const pair = await established();
    // Hold the client's records and hand them to the server as one chunk, as a TCP read would.
    const held: Uint8Array[] = [];
    pair.tamper = (from, bytes) => {
      if (from !== 'client') return bytes;
      held.push(bytes.slice());
      return null;
    };
    const requests = MAX_KEY_UPDATES_WITHOUT_DATA - 2;
    for (let i = 0; i < requests; i++) pair.client.conn.keyUpdate(true);
    pair.client.conn.send(enc('after'));
    pair.tamper = undefined;
    pair.server.conn.receive(new Uint8Array(Buffer.concat(held)));
    await until(() => dec(pair.server.received()) === 'helloafter', 'data after the updates');
    await settle(5);
    assert.equal(keyUpdatesSent(pair, 'server'), 1, 'one answer for all the requests');
    // Both directions still work: the client follows the server's single update.
    pair.server.conn.send(enc('pong'));
    await until(() => dec(pair.client.received()) === 'pong', 'data from the server');
    assert.equal(pair.client.error, undefined);
    assert.equal(pair.server.error, undefined);
  });

  it(`ends a flood of more than ${MAX_KEY_UPDATES_WITHOUT_DATA} KeyUpdates without application data with unexpected_message`, T, async () => {
    const pair = await established();
    for (let i = 0; i < 10 * MAX_KEY_UPDATES_WITHOUT_DATA; i++) {
      if (pair.client.conn.isClosed) break;
      pair.client.conn.keyUpdate(true);
      await settle(0);
    }
    const err = await pair.server.closed;
    assert.equal(err?.alert?.name, 'unexpected_message');
    assert.equal(err?.alert?.direction, 'sent');
    assert.ok(keyUpdatesSent(pair, 'server') <= MAX_KEY_UPDATES_WITHOUT_DATA, `server answered ${keyUpdatesSent(pair, 'server')} times`);
    assert.equal((await pair.client.closed)?.alert?.name, 'unexpected_message');
  });

  it('counts KeyUpdates only between application data: updates with data in between go on', T, async () => {
    const pair = await established();
    let expected = 'hello';
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < MAX_KEY_UPDATES_WITHOUT_DATA; i++) pair.client.conn.keyUpdate(i % 2 === 0);
      pair.client.conn.send(enc(String(round)));
      expected += String(round);
      await until(() => dec(pair.server.received()) === expected, `round ${round}`);
    }
    assert.equal(pair.server.error, undefined);
    pair.server.conn.send(enc('ok'));
    await until(() => dec(pair.client.received()) === 'ok', 'the answer');
  });
});
