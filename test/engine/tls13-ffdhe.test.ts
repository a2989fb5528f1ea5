/**
 * RFC 7919 finite-field groups in TLS 1.3 (RFC 8446 §4.2.7, §4.2.8.1; issue 11,
 * item 11): ffdhe2048/3072/4096 as key_share groups in both roles, the
 * server's preference deciding the group (and so the size), HelloRetryRequest
 * to an ffdhe group, resumption with psk_dhe_ke, and shares that are not
 * padded to the length of p or out of range refused with illegal_parameter.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectPair, handshakeBoth, until, type Pair } from '../helpers/pair.js';
import { Tls13Mitm } from '../helpers/tls13-mitm.js';
import type { SessionState } from '../../src/config.js';
import type { TLSError } from '../../src/errors.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { TicketKeys } from '../../src/handshake/tickets.js';
import { findExtension, keyShare } from '../../src/messages/extensions.js';
import { ClientHelloCodec, frameHandshake } from '../../src/messages/handshake.js';
import { ContentType, ExtensionType, HandshakeType, NamedGroup as G } from '../../src/registry.js';
import { Reader } from '../../src/wire/reader.js';

const T = { timeout: 20_000 };
const tls13 = { minVersion: 'TLSv1.3' as const };

async function talk(pair: Pair): Promise<void> {
  pair.client.conn.send(new TextEncoder().encode('ping'));
  pair.server.conn.send(new TextEncoder().encode('pong'));
  await until(() => pair.server.received().length === 4 && pair.client.received().length === 4, 'data both ways');
}

describe('TLS 1.3 with the RFC 7919 ffdhe groups', () => {
  for (const group of [G.ffdhe2048, G.ffdhe3072, G.ffdhe4096]) {
    it(`negotiates group 0x${group.toString(16)} when it is the only one in common, in one round trip`, T, async () => {
      const pair = connectPair({ ...tls13, groups: [group] }, tls13);
      const [c, s] = await handshakeBoth(pair);
      assert.equal(c.version, 'TLSv1.3');
      assert.equal(c.group, group);
      assert.equal(s.group, group);
      assert.equal(c.roundTrips, 1);
      await talk(pair);
    });
  }

  it('asks for an ffdhe share with HelloRetryRequest when the client sent only a curve share', T, async () => {
    const pair = connectPair({ ...tls13, groups: [G.x25519, G.ffdhe2048] }, { ...tls13, groups: [G.ffdhe2048] });
    const [c, s] = await handshakeBoth(pair);
    assert.equal(s.group, G.ffdhe2048);
    assert.equal(c.roundTrips, 2);
    await talk(pair);
  });

  it('lets the server choose the size by its own preference, not the client\'s order', T, async () => {
    const pair = connectPair({ ...tls13, groups: [G.x25519, G.ffdhe2048, G.ffdhe4096] }, { ...tls13, groups: [G.ffdhe4096, G.ffdhe2048] });
    const [c, s] = await handshakeBoth(pair);
    assert.equal(s.group, G.ffdhe4096);
    assert.equal(c.group, G.ffdhe4096);
  });

  it('still prefers a group the client sent a share for (no extra round trip) among the server\'s choices', T, async () => {
    const pair = connectPair({ ...tls13, groups: [G.ffdhe3072, G.ffdhe2048] }, { ...tls13, groups: [G.ffdhe2048, G.ffdhe3072] });
    const [c, s] = await handshakeBoth(pair);
    assert.equal(s.group, G.ffdhe3072);
    assert.equal(c.roundTrips, 1);
  });

  it('resumes with psk_dhe_ke over an ffdhe group', T, async () => {
    const server = { ...tls13, groups: [G.ffdhe2048], ticketKeys: new TicketKeys(defaultProvider) };
    const first = connectPair({ ...tls13, groups: [G.ffdhe2048] }, server);
    let session: SessionState | undefined;
    first.client.conn.sink.session = (s) => (session ??= s);
    await handshakeBoth(first);
    await talk(first);
    await until(() => session !== undefined, 'a ticket');
    const second = connectPair({ ...tls13, groups: [G.ffdhe2048], session }, server);
    const [c, s] = await handshakeBoth(second);
    assert.equal(c.resumed, true);
    assert.equal(s.group, G.ffdhe2048);
    await talk(second);
  });

  for (const [what, rewrite] of [
    ['not padded to the length of p', (share: Uint8Array) => share.subarray(1)],
    ['equal to p - 1', (share: Uint8Array) => { const b = new Uint8Array(share.length).fill(0xff); b[b.length - 1] = 0xfe; return b; }],
    ['equal to 1', (share: Uint8Array) => { const b = new Uint8Array(share.length); b[b.length - 1] = 1; return b; }],
  ] as const) {
    it(`refuses a client share ${what} with illegal_parameter`, T, async () => {
      const mitm = new Tls13Mitm(0x1301);
      const pair = connectPair({ ...tls13, cipherSuites: [0x1301], groups: [G.ffdhe2048] }, tls13, { tamper: mitm.tamper });
      mitm.attach(pair);
      mitm.onRecord((r, ctx) => {
        if (ctx.from !== 'client' || ctx.epoch !== 'plaintext' || r.type !== ContentType.handshake || r.fragment[0] !== HandshakeType.client_hello) return undefined;
        const h = ClientHelloCodec.decode(new Reader(r.fragment.subarray(4)));
        const [share] = keyShare.decodeClient(findExtension(h.extensions, ExtensionType.key_share)!);
        const data = keyShare.encodeClient([{ group: share!.group, keyExchange: rewrite(share!.keyExchange) }]);
        const extensions = h.extensions.map((e) => (e.type === ExtensionType.key_share ? { type: e.type, data } : e));
        return [{ type: ContentType.handshake, fragment: frameHandshake(HandshakeType.client_hello, ClientHelloCodec.encode({ ...h, extensions })) }];
      });
      const err = (await pair.server.closed) as TLSError | undefined;
      assert.equal(err?.alert?.name, 'illegal_parameter', err?.message);
      assert.equal(err?.alert?.direction, 'sent');
    });
  }
});
