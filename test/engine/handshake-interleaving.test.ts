/**
 * Application data interleaved with a handshake (issue 11, item 9): before
 * the handshake completes, an application_data record is accepted only as
 * 0-RTT data the server took; any other, empty ones included, is
 * unexpected_message at once. (Empty records used to be skipped, and the
 * peer that sent them waited for an answer until it timed out.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectPair, type Pair } from '../helpers/pair.js';
import { Tls13Mitm, type Inner, type RecordContext } from '../helpers/tls13-mitm.js';
import type { TLSError } from '../../src/errors.js';
import { ContentType, HandshakeType, NamedGroup } from '../../src/registry.js';
import { joinRecords, splitRecords } from '../helpers/hostile.js';

const T = { timeout: 10_000 };
const CT = ContentType;
const EMPTY_DATA: Inner = { type: CT.application_data, fragment: new Uint8Array(0) };

function mitmPair(): { pair: Pair; mitm: Tls13Mitm } {
  const mitm = new Tls13Mitm(0x1301);
  const pair = connectPair({ minVersion: 'TLSv1.3', cipherSuites: [0x1301], groups: [NamedGroup.x25519] }, { minVersion: 'TLSv1.3' }, { tamper: mitm.tamper });
  mitm.attach(pair);
  return { pair, mitm };
}

/** `failing` sent unexpected_message (promptly: the test's timeout bounds it) and the peer received it. */
async function expectUnexpectedMessage(pair: Pair, failing: 'client' | 'server'): Promise<void> {
  const other = failing === 'client' ? 'server' : 'client';
  const [mine, theirs] = (await Promise.all([pair[failing].closed, pair[other].closed])) as [TLSError | undefined, TLSError | undefined];
  assert.equal(mine?.alert?.name, 'unexpected_message', `${failing}: ${mine?.message}`);
  assert.equal(mine?.alert?.direction, 'sent');
  assert.equal(theirs?.alert?.name, 'unexpected_message');
  assert.equal(theirs?.alert?.direction, 'received');
}

/** Put `extra` before the first handshake message of `type` that `from` sends. */
function before(mitm: Tls13Mitm, from: 'client' | 'server', type: number, extra: Inner[]): void {
  let done = false;
  mitm.onRecord((r: Inner, ctx: RecordContext) => {
    if (done || ctx.from !== from || r.type !== CT.handshake || r.fragment[0] !== type) return undefined;
    done = true;
    return [...extra, r];
  });
}

describe('TLS 1.3: application data interleaved with the handshake', () => {
  it('refuses zero-length application data among the client\'s encrypted handshake messages with unexpected_message', T, async () => {
    const { pair, mitm } = mitmPair();
    before(mitm, 'client', HandshakeType.finished, [EMPTY_DATA, EMPTY_DATA]);
    await expectUnexpectedMessage(pair, 'server');
  });

  it('refuses zero-length application data before the server\'s Finished with unexpected_message', T, async () => {
    const { pair, mitm } = mitmPair();
    before(mitm, 'server', HandshakeType.finished, [EMPTY_DATA]);
    await expectUnexpectedMessage(pair, 'client');
  });
});

describe('TLS 1.2: application data interleaved with the handshake', () => {
  it('refuses a zero-length application data record after the ClientHello with unexpected_message', T, async () => {
    const pair = connectPair({ maxVersion: 'TLSv1.2' }, { maxVersion: 'TLSv1.2' }, {
      tamper: (from, bytes) => {
        if (from !== 'client' || bytes[0] !== CT.handshake || bytes[5] !== HandshakeType.client_hello) return bytes;
        return joinRecords([...splitRecords(bytes), { type: CT.application_data, version: 0x0303, body: new Uint8Array(0) }]);
      },
    });
    await expectUnexpectedMessage(pair, 'server');
  });
});
