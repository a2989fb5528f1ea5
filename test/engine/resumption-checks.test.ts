/**
 * Resumption and 0-RTT checks, each shown to be the one that fires:
 * extended master secret on TLS 1.2 resumption (client and server), both
 * Finished messages of a resumed TLS 1.2 handshake, a resumed suite, a TLS 1.3
 * ticket under another server name, a PSK whose hash is not the suite's, 0-RTT
 * under another ALPN protocol (client and server), the early data budget and
 * the 7-day ticket lifetime cap.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientConfig, ServerConfig, SessionState } from '../../src/config.js';
import type { HandshakeSummary } from '../../src/connection.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { AntiReplay, MemorySessionCache, TicketKeys, decodeSession, encodeSession } from '../../src/handshake/tickets.js';
import { ClientHelloCodec, NewSessionTicket13Codec, ServerHelloCodec, frameHandshake } from '../../src/messages/handshake.js';
import { ContentType, ExtensionType, HandshakeType } from '../../src/registry.js';
import { Reader } from '../../src/wire/reader.js';
import { Finished12Forger, type MessageRewrite } from '../helpers/finished-forger.js';
import { FlightEditor, Tls12Keys } from '../helpers/hostile.js';
import { connectPair, handshakeBoth, settle, type Pair } from '../helpers/pair.js';
import { expectRefusal } from '../helpers/refusal.js';
import { Tls13Mitm } from '../helpers/tls13-mitm.js';

const T = { timeout: 10_000 };
const HT = HandshakeType;
const X = ExtensionType;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function serverState(extra: Partial<ServerConfig> = {}): Partial<ServerConfig> {
  return { ticketKeys: new TicketKeys(defaultProvider), sessionCache: new MemorySessionCache(), antiReplay: new AntiReplay(defaultProvider), ...extra };
}

/** A full handshake with `server`; the first session the client keeps. */
async function sessionFrom(client: Partial<ClientConfig>, server: Partial<ServerConfig>): Promise<SessionState> {
  const pair = connectPair(client, server);
  let session: SessionState | undefined;
  pair.client.conn.sink.session = (s) => (session ??= s);
  await handshakeBoth(pair);
  for (let i = 0; i < 100 && !session; i++) await settle(1);
  assert.ok(session, 'a session arrives');
  return session;
}

function forged12(rewrite: MessageRewrite, client: Partial<ClientConfig>, server: Partial<ServerConfig>): Pair {
  const editor = new FlightEditor();
  let pair: Pair | undefined;
  new Finished12Forger(() => pair!, editor, rewrite);
  pair = connectPair(client, server, { tamper: editor.tamper });
  return pair;
}

const dropExt = (type: number) => (exts: readonly { type: number; data: Uint8Array }[]) => exts.filter((e) => e.type !== type);

const editHello =
  (from: 'client' | 'server', type: number, fn: (body: Uint8Array) => Uint8Array): MessageRewrite =>
  (m, f) =>
    f === from && m[0] === type ? frameHandshake(type, fn(m.subarray(4))) : undefined;

describe('TLS 1.2 resumption checks', () => {
  const client12: Partial<ClientConfig> = { maxVersion: 'TLSv1.2', cipherSuites: [0xc02f, 0xc030] };

  it('the client refuses to resume an extended-master-secret session without EMS (RFC 7627 §5.3)', T, async () => {
    const server = serverState({ sessionCache: undefined });
    const session = await sessionFrom(client12, server);
    assert.equal(session.extendedMasterSecret, true);
    // A hostile server resumes it but drops extended_master_secret from its ServerHello; Finished forged.
    const pair = forged12(
      editHello('server', HT.server_hello, (b) => {
        const sh = ServerHelloCodec.decode(new Reader(b));
        return ServerHelloCodec.encode({ ...sh, extensions: dropExt(X.extended_master_secret)(sh.extensions) });
      }),
      { ...client12, session },
      server,
    );
    await expectRefusal(pair, 'client', 'handshake_failure', 'extended_master_secret differs from the resumed session');
  });

  it('the server does not resume an extended-master-secret session for a ClientHello without EMS', T, async () => {
    const server = serverState({ ticketKeys: undefined });
    const session = await sessionFrom(client12, server);
    assert.equal(session.extendedMasterSecret, true);
    // An attacker strips EMS from the ClientHello: the server must do a full handshake (which then
    // completes here, the Finished forged over the stripped hello), not resume the EMS session.
    const pair = forged12(
      editHello('client', HT.client_hello, (b) => {
        const ch = ClientHelloCodec.decode(new Reader(b));
        return ClientHelloCodec.encode({ ...ch, extensions: dropExt(X.extended_master_secret)(ch.extensions) });
      }),
      { ...client12, session },
      server,
    );
    const [c, s] = await handshakeBoth(pair);
    assert.equal(s.resumed, false, 'a full handshake, not the EMS session');
    assert.equal(c.resumed, false);
    assert.equal(s.extendedMasterSecret, false);
  });

  for (const from of ['server', 'client'] as const) {
    it(`the ${from === 'server' ? 'client' : 'server'} checks the ${from} Finished of a resumed handshake`, T, async () => {
      const server = serverState({ sessionCache: undefined });
      const session = await sessionFrom(client12, server);
      let pair: Pair | undefined;
      const editor = new FlightEditor().onRecord((r, f, encrypted) => {
        if (f !== from || !encrypted || r.type !== ContentType.handshake) return undefined;
        // Open the Finished with the resumed keys, change one byte of verify_data, seal it again.
        const keys = new Tls12Keys(editor.suite, pair!.server.keylog.find((l) => l.startsWith('CLIENT_RANDOM '))!, editor.serverRandom);
        const fin = keys.open(from, 0, r).fragment.slice();
        fin[fin.length - 1]! ^= 1;
        return [keys.seal(from, 0, ContentType.handshake, fin)];
      });
      pair = connectPair({ ...client12, session }, server, { tamper: editor.tamper });
      const failing = from === 'server' ? 'client' : 'server';
      await expectRefusal(pair, failing, 'decrypt_error', `${from} Finished does not verify`);
    });
  }

  it('the client refuses a resumption under another cipher suite', T, async () => {
    const server = serverState({ sessionCache: undefined });
    const session = await sessionFrom(client12, server);
    const other = session.cipherSuite === 0xc02f ? 0xc030 : 0xc02f;
    const pair = forged12(
      editHello('server', HT.server_hello, (b) => ServerHelloCodec.encode({ ...ServerHelloCodec.decode(new Reader(b)), cipherSuite: other })),
      { ...client12, session },
      server,
    );
    await expectRefusal(pair, 'client', 'illegal_parameter', 'resumed session with a different cipher suite');
  });
});

async function summaries(pair: Pair): Promise<[HandshakeSummary, HandshakeSummary]> {
  return handshakeBoth(pair);
}

describe('TLS 1.3 resumption checks', () => {
  it('the server does not accept a ticket under another server name', T, async () => {
    const server = serverState();
    const session = await sessionFrom({ serverName: 'a.example' }, server);
    assert.equal(session.version, 'TLSv1.3');
    const [c, s] = await summaries(connectPair({ serverName: 'b.example', session }, server));
    assert.equal(s.resumed, false);
    assert.equal(c.resumed, false);
    assert.equal(s.serverName, 'b.example');
    // The same ticket under its own name resumes.
    const [, again] = await summaries(connectPair({ serverName: 'a.example', session }, server));
    assert.equal(again.resumed, true);
  });

  it('the client refuses a PSK selected with a suite of another hash', T, async () => {
    const server = serverState();
    const session = await sessionFrom({ cipherSuites: [0x1302] }, server); // SHA-384 ticket
    const mitm = new Tls13Mitm(0x1302);
    mitm.onRecord((r, ctx) => {
      if (ctx.from !== 'server' || ctx.epoch !== 'plaintext' || r.type !== ContentType.handshake || r.fragment[0] !== HT.server_hello) return undefined;
      const sh = ServerHelloCodec.decode(new Reader(r.fragment.subarray(4)));
      assert.ok(sh.extensions.some((e) => e.type === X.pre_shared_key), 'the server resumed');
      return [{ type: ContentType.handshake, fragment: frameHandshake(HT.server_hello, ServerHelloCodec.encode({ ...sh, cipherSuite: 0x1301 })) }];
    });
    // The server resumes under TLS_AES_256_GCM_SHA384; the attacker relabels its ServerHello TLS_AES_128_GCM_SHA256.
    const pair = connectPair({ cipherSuites: [0x1302, 0x1301], session }, { ...server, cipherSuites: [0x1302] }, { tamper: mitm.tamper });
    mitm.attach(pair);
    await expectRefusal(pair, 'client', 'illegal_parameter', 'server selected a PSK whose hash differs from the cipher suite');
  });

  it('the client refuses a ticket whose lifetime exceeds 7 days', T, async () => {
    const mitm = new Tls13Mitm(0x1301);
    mitm.onRecord((r, ctx) => {
      if (ctx.from !== 'server' || ctx.epoch !== 'application' || r.type !== ContentType.handshake || r.fragment[0] !== HT.new_session_ticket) return undefined;
      const t = NewSessionTicket13Codec.decode(new Reader(r.fragment.subarray(4)));
      return [{ type: ContentType.handshake, fragment: frameHandshake(HT.new_session_ticket, NewSessionTicket13Codec.encode({ ...t, ticketLifetime: 7 * 24 * 3600 + 1 })) }];
    });
    const pair = connectPair({ cipherSuites: [0x1301] }, serverState(), { tamper: mitm.tamper });
    mitm.attach(pair);
    await expectRefusal(pair, 'client', 'illegal_parameter', `ticket lifetime ${7 * 24 * 3600 + 1} s exceeds 7 days`);
  });
});

describe('0-RTT checks', () => {
  const earlyServer = (extra: Partial<ServerConfig> = {}): Partial<ServerConfig> => serverState({ maxEarlyData: 4096, ...extra });

  it('the server refuses 0-RTT for a ticket issued under another ALPN protocol, even when the client claims otherwise', T, async () => {
    const server = earlyServer({ alpnProtocols: ['h2', 'http/1.1'] });
    const session = await sessionFrom({ alpnProtocols: ['h2'] }, server);
    assert.equal(session.alpnProtocol, 'h2');
    // The client's copy of the session says http/1.1, so it sends early data under http/1.1.
    const pair = connectPair({ session: { ...session, alpnProtocol: 'http/1.1' }, alpnProtocols: ['http/1.1'], earlyData: enc('early') }, server);
    const [c, s] = await handshakeBoth(pair);
    assert.equal(s.resumed, true);
    assert.equal(s.alpnProtocol, 'http/1.1');
    assert.equal(s.earlyDataAccepted, false, 'the ticket was issued under h2');
    assert.equal(c.earlyDataAccepted, false);
  });

  it('the client refuses a server that accepts its 0-RTT under another ALPN protocol', T, async () => {
    const keys = new TicketKeys(defaultProvider);
    const server = earlyServer({ ticketKeys: keys, alpnProtocols: ['http/1.1', 'h2'] });
    const session = await sessionFrom({ alpnProtocols: ['h2'] }, server);
    assert.equal(session.alpnProtocol, 'h2');
    // The server's sealed copy says http/1.1 (a server that lost track of the ticket's protocol).
    const opened = keys.open(session.ticket!, Date.now())!;
    const ticket = keys.seal(encodeSession({ ...decodeSession(opened.state), alpnProtocol: 'http/1.1' }), Date.now());
    const pair = connectPair({ session: { ...session, ticket }, alpnProtocols: ['h2', 'http/1.1'], earlyData: enc('early') }, server);
    await expectRefusal(pair, 'client', 'illegal_parameter', 'early data accepted with a different ALPN protocol');
  });

  it('the server refuses more early data than max_early_data_size with unexpected_message', T, async () => {
    const server = earlyServer({ maxEarlyData: 10 });
    const session = await sessionFrom({ cipherSuites: [0x1301] }, server);
    const mitm = new Tls13Mitm(0x1301);
    // A hostile client repeats its (accepted) early data record: 20 bytes where 10 were allowed.
    mitm.onRecord((r, ctx) => (ctx.from === 'client' && ctx.epoch === 'early' && r.type === ContentType.application_data ? [r, r] : undefined));
    const pair = connectPair({ cipherSuites: [0x1301], session, earlyData: enc('0123456789') }, server, { tamper: mitm.tamper });
    mitm.attach(pair);
    const err = await pair.server.closed;
    assert.equal(err?.message, 'early data exceeds max_early_data_size (sent alert unexpected_message)');
  });

  it('a server that refused 0-RTT skips at most its budget of early records, then unexpected_message', T, async () => {
    const keys = new TicketKeys(defaultProvider);
    const session = await sessionFrom({ cipherSuites: [0x1301] }, earlyServer({ ticketKeys: keys }));
    const mitm = new Tls13Mitm(0x1301);
    // A hostile client keeps sending early data the server cannot read (it refused 0-RTT): 200 x 1 KiB.
    mitm.onRecord((r, ctx) => (ctx.from === 'client' && ctx.epoch === 'early' && r.type === ContentType.application_data ? Array.from({ length: 200 }, () => r) : undefined));
    const pair = connectPair({ cipherSuites: [0x1301], session, earlyData: new Uint8Array(1024) }, earlyServer({ ticketKeys: keys, maxEarlyData: 0 }), { tamper: mitm.tamper });
    mitm.attach(pair);
    const err = await pair.server.closed;
    assert.equal(err?.message, 'rejected early data exceeds max_early_data_size (sent alert unexpected_message)');
  });
});
