/**
 * Session resumption in memory, both versions: TLS 1.2 session IDs (server
 * cache) and RFC 5077 tickets, TLS 1.3 tickets with and without (EC)DHE,
 * ticket keys shared by a fleet and rotated, lifetimes, the session codec,
 * and 0-RTT accepted, rejected and replayed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certified, connectPair, handshakeBoth, settle, type Pair } from '../helpers/pair.js';
import type { ClientConfig, ServerConfig, SessionState } from '../../src/config.js';
import type { HandshakeSummary } from '../../src/connection.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { AntiReplay, MemorySessionCache, TicketKeys, decodeSession, encodeSession } from '../../src/handshake/tickets.js';
import { NamedGroup, PskKeyExchangeMode } from '../../src/registry.js';
import { DecodeError } from '../../src/wire/reader.js';

const T = { timeout: 10_000 };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

interface Run {
  readonly pair: Pair;
  readonly client: HandshakeSummary;
  readonly server: HandshakeSummary;
  readonly sessions: SessionState[];
  readonly early: string;
}

/** Handshake, exchange a line each way, collect the client's sessions and the server's early data. */
async function run(client: Partial<ClientConfig>, server: Partial<ServerConfig>): Promise<Run> {
  const pair = connectPair(client, server);
  const sessions: SessionState[] = [];
  const early: Uint8Array[] = [];
  pair.client.conn.sink.session = (s) => sessions.push(s);
  pair.server.conn.sink.earlyData = (b) => early.push(b.slice());
  const [c, s] = await handshakeBoth(pair);
  pair.client.conn.send(enc('ping'));
  pair.server.conn.send(enc('pong'));
  await settle(5);
  assert.ok(dec(pair.server.received()).endsWith('ping'));
  assert.equal(dec(pair.client.received()), 'pong');
  return { pair, client: c, server: s, sessions, early: dec(new Uint8Array(Buffer.concat(early))) };
}

/** A server's resumption state, shared by the connections of one test. */
function serverState(extra: Partial<ServerConfig> = {}): Partial<ServerConfig> {
  return { ticketKeys: new TicketKeys(defaultProvider), sessionCache: new MemorySessionCache(), antiReplay: new AntiReplay(defaultProvider), ...extra };
}

describe('TLS 1.2 resumption', () => {
  it('resumes by session ID from the server cache', T, async () => {
    const server = serverState({ ticketKeys: undefined });
    const first = await run({ maxVersion: 'TLSv1.2' }, server);
    assert.equal(first.client.resumed, false);
    assert.equal(first.sessions.length, 1);
    const session = first.sessions[0]!;
    assert.equal(session.sessionId?.length, 32);
    assert.equal(session.ticket, undefined);
    const second = await run({ maxVersion: 'TLSv1.2', session }, server);
    assert.equal(second.client.resumed, true);
    assert.equal(second.server.resumed, true);
    assert.equal(second.client.cipherSuite.id, first.client.cipherSuite.id);
    assert.deepEqual(second.client.peerCertificates, first.client.peerCertificates);
    assert.equal(second.client.roundTrips, 1);
  });

  it('resumes with an RFC 5077 ticket and renews it', T, async () => {
    const server = serverState({ sessionCache: undefined });
    const first = await run({ maxVersion: 'TLSv1.2' }, server);
    const session = first.sessions[0]!;
    assert.ok(session.ticket && session.ticket.length > 0);
    const second = await run({ maxVersion: 'TLSv1.2', session }, server);
    assert.equal(second.client.resumed, true);
    assert.equal(second.server.resumed, true);
    assert.equal(second.sessions.length, 1, 'a renewed ticket arrives');
    const third = await run({ maxVersion: 'TLSv1.2', session: second.sessions[0]! }, server);
    assert.equal(third.client.resumed, true);
  });

  it('does a full handshake when the server no longer knows the session ID', T, async () => {
    const first = await run({ maxVersion: 'TLSv1.2' }, serverState({ ticketKeys: undefined }));
    const second = await run({ maxVersion: 'TLSv1.2', session: first.sessions[0]! }, serverState({ ticketKeys: undefined }));
    assert.equal(second.client.resumed, false);
    assert.equal(second.server.resumed, false);
  });

  it('does a full handshake when the ticket is sealed with unknown keys', T, async () => {
    const first = await run({ maxVersion: 'TLSv1.2' }, serverState({ sessionCache: undefined }));
    const second = await run({ maxVersion: 'TLSv1.2', session: first.sessions[0]! }, serverState({ sessionCache: undefined }));
    assert.equal(second.client.resumed, false);
    assert.equal(second.sessions.length, 1, 'a fresh ticket replaces the stale one');
  });

  it('does not resume a session for another server name', T, async () => {
    const server = serverState();
    const first = await run({ maxVersion: 'TLSv1.2', serverName: 'a.example' }, server);
    const second = await run({ maxVersion: 'TLSv1.2', serverName: 'b.example', session: first.sessions[0]! }, server);
    assert.equal(second.server.resumed, false);
  });

  it('forgets the oldest sessions beyond the cache size', () => {
    const cache = new MemorySessionCache(2);
    const s = (n: number): SessionState => ({ version: 'TLSv1.2', cipherSuite: 0xc02f, secret: Uint8Array.of(n), serverName: undefined, alpnProtocol: undefined, peerCertificates: [], createdAt: 0 });
    cache.set(Uint8Array.of(1), s(1));
    cache.set(Uint8Array.of(2), s(2));
    cache.set(Uint8Array.of(3), s(3));
    assert.equal(cache.get(Uint8Array.of(1)), undefined);
    assert.equal(cache.get(Uint8Array.of(3))?.secret[0], 3);
    assert.equal(cache.size, 2);
  });
});

describe('TLS 1.3 resumption', () => {
  it('resumes from a ticket with psk_dhe_ke (forward secret) and skips certificates', T, async () => {
    const server = serverState();
    const first = await run({ trace: true }, server);
    assert.equal(first.sessions.length, 1);
    const session = first.sessions[0]!;
    assert.equal(session.version, 'TLSv1.3');
    const second = await run({ session, trace: true }, server);
    assert.equal(second.client.resumed, true);
    assert.equal(second.server.resumed, true);
    assert.equal(second.client.group, NamedGroup.X25519MLKEM768, '(EC)DHE still runs (the default group)');
    assert.deepEqual(second.client.peerCertificates, first.client.peerCertificates);
    const received = second.pair.client.trace.filter((e) => e.kind === 'handshake' && e.direction === 'received').map((e) => e.message![0]);
    assert.ok(!received.includes(11), 'no Certificate when resuming');
  });

  it('resumes with psk_ke (no key exchange) when both sides allow it', T, async () => {
    const server = serverState();
    const first = await run({}, server);
    const second = await run({ session: first.sessions[0]!, pskModes: [PskKeyExchangeMode.psk_ke] }, server);
    assert.equal(second.client.resumed, true);
    assert.equal(second.client.group, undefined);
    assert.equal(second.server.group, undefined);
  });

  it('does a full handshake when the client offers only psk_ke and the server allows only psk_dhe_ke', T, async () => {
    const server = serverState({ pskModes: [PskKeyExchangeMode.psk_dhe_ke] });
    const first = await run({}, server);
    const second = await run({ session: first.sessions[0]!, pskModes: [PskKeyExchangeMode.psk_ke] }, server);
    assert.equal(second.client.resumed, false);
    assert.equal(second.server.resumed, false);
  });

  it('sends as many tickets as asked, each resumable', T, async () => {
    const server = serverState({ ticketCount: 3 });
    const first = await run({}, server);
    assert.equal(first.sessions.length, 3);
    for (const session of first.sessions) assert.equal((await run({ session }, server)).client.resumed, true);
  });

  it('lets a fleet sharing 48-byte ticket keys resume each other\'s sessions', T, async () => {
    const keys = defaultProvider.randomBytes(TicketKeys.KEY_LENGTH);
    const a = serverState({ ticketKeys: new TicketKeys(defaultProvider, { keys }) });
    const b = serverState({ ticketKeys: new TicketKeys(defaultProvider, { keys }) });
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const first = await run({ maxVersion }, a);
      const second = await run({ maxVersion, session: first.sessions.at(-1)! }, b);
      assert.equal(second.server.resumed, true, maxVersion);
      const other = await run({ maxVersion, session: first.sessions.at(-1)! }, serverState());
      assert.equal(other.server.resumed, false, `${maxVersion}: other keys cannot open it`);
    }
  });

  it('keeps opening tickets of the previous key after setTicketKeys, but not of the one before', T, async () => {
    const ticketKeys = new TicketKeys(defaultProvider, { keys: defaultProvider.randomBytes(48) });
    const server = serverState({ ticketKeys });
    const session = (await run({}, server)).sessions[0]!;
    const initial = ticketKeys.getTicketKeys();
    ticketKeys.setTicketKeys(defaultProvider.randomBytes(48));
    assert.notDeepEqual(ticketKeys.getTicketKeys(), initial);
    assert.equal((await run({ session }, server)).server.resumed, true);
    ticketKeys.setTicketKeys(defaultProvider.randomBytes(48));
    assert.equal((await run({ session }, server)).server.resumed, false);
  });

  it('rotates generated ticket keys by the clock', T, async () => {
    let now = 1_000_000;
    const clock = (): number => now;
    const ticketKeys = new TicketKeys(defaultProvider, { rotateAfterMs: 60_000 });
    const server = serverState({ ticketKeys, now: clock, sessionTimeout: 100_000 });
    const session = (await run({ now: clock }, server)).sessions[0]!;
    const before = ticketKeys.getTicketKeys();
    now += 61_000;
    assert.equal((await run({ session, now: clock }, server)).server.resumed, true, 'previous key still opens');
    assert.notDeepEqual(ticketKeys.getTicketKeys(), before, 'rotated');
    now += 61_000;
    assert.equal((await run({ session, now: clock }, server)).server.resumed, false, 'two rotations later it does not');
  });

  it('does not resume an expired ticket', T, async () => {
    let now = 5_000_000;
    const clock = (): number => now;
    const server = serverState({ now: clock, sessionTimeout: 10 });
    const session = (await run({ now: clock }, server)).sessions[0]!;
    assert.equal(session.ticketLifetime, 10);
    now += 11_000;
    const second = await run({ session, now: clock }, server);
    assert.equal(second.client.resumed, false);
    // Even when the client offers it anyway (its own clock is behind), the server refuses.
    const third = await run({ session, now: () => now - 11_000 }, server);
    assert.equal(third.server.resumed, false);
  });

  it('does not offer a TLS 1.3 session to a TLS 1.2-only server', T, async () => {
    const first = await run({}, serverState());
    const second = await run({ session: first.sessions[0]! }, serverState({ maxVersion: 'TLSv1.2' }));
    assert.equal(second.client.version, 'TLSv1.2');
    assert.equal(second.client.resumed, false);
  });

  it('round-trips sessions through encodeSession/decodeSession', T, async () => {
    const s13 = (await run({}, serverState())).sessions[0]!;
    const s12 = (await run({ maxVersion: 'TLSv1.2', alpnProtocols: ['h2'] }, serverState({ alpnProtocols: ['h2'] }))).sessions[0]!;
    for (const s of [s13, s12]) {
      const back = decodeSession(encodeSession(s));
      assert.deepEqual(back, s);
    }
    const server = serverState();
    const stored = encodeSession((await run({}, server)).sessions[0]!);
    assert.equal((await run({ session: decodeSession(stored) }, server)).client.resumed, true);
  });

  it('rejects session bytes that are not a session with DecodeError', () => {
    assert.throws(() => decodeSession(Uint8Array.of(1, 2, 3)), DecodeError);
    assert.throws(() => decodeSession(new Uint8Array(0)), DecodeError);
    assert.throws(() => decodeSession(Uint8Array.of(9, 0, 0, 0)), DecodeError);
  });
});

describe('resumption and authorization', () => {
  const rejecting = async (): Promise<{ valid: boolean; code: string }> => ({ valid: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });

  for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`does not carry an unverified client certificate into a resumed ${maxVersion} session`, T, async () => {
      const server = serverState({ requestClientCertificate: true, verifyPeer: rejecting });
      const first = await run({ maxVersion, certificates: [certified('client-p256')] }, server);
      assert.equal(first.server.authorized, false);
      assert.equal(first.server.peerCertificates.length, 1);
      const second = await run({ maxVersion, session: first.sessions.at(-1)! }, server);
      assert.equal(second.server.resumed, true);
      assert.equal(second.server.authorized, false);
      assert.equal(second.server.peerCertificates.length, 0);
    });

    it(`carries a verified client certificate into a resumed ${maxVersion} session`, T, async () => {
      const server = serverState({ requestClientCertificate: true });
      const first = await run({ maxVersion, certificates: [certified('client-p256')] }, server);
      const second = await run({ maxVersion, session: first.sessions.at(-1)! }, server);
      assert.equal(second.server.resumed, true);
      assert.equal(second.server.authorized, true);
      assert.deepEqual(second.server.peerCertificates, first.server.peerCertificates);
    });

    it(`offers no session from an unverified ${maxVersion} server (rejectUnauthorized: false)`, T, async () => {
      const first = await run({ maxVersion, rejectUnauthorized: false, verifyPeer: rejecting }, serverState());
      assert.equal(first.client.authorized, false);
      assert.equal(first.sessions.length, 0);
    });
  }
});

describe('TLS 1.3 0-RTT', () => {
  const earlyServer = (extra: Partial<ServerConfig> = {}): Partial<ServerConfig> => serverState({ maxEarlyData: 4096, ...extra });

  it('delivers early data with a resumable ticket when the server accepts it', T, async () => {
    const server = earlyServer();
    const session = (await run({}, server)).sessions[0]!;
    assert.equal(session.maxEarlyData, 4096);
    const second = await run({ session, earlyData: enc('GET / zero-rtt') }, server);
    assert.equal(second.client.earlyDataAccepted, true);
    assert.equal(second.server.earlyDataAccepted, true);
    assert.equal(second.early, 'GET / zero-rtt');
    assert.equal(second.client.roundTrips, 0);
    assert.equal(dec(second.pair.server.received()), 'ping', 'early data is not repeated as ordinary data');
  });

  it('resends rejected early data after the handshake when the server refuses 0-RTT', T, async () => {
    const server = earlyServer();
    const first = await run({}, server);
    // Same keys, but now the server takes no early data.
    const second = await run({ session: first.sessions[0]!, earlyData: enc('early') }, { ...server, maxEarlyData: 0 });
    assert.equal(second.client.resumed, true);
    assert.equal(second.client.earlyDataAccepted, false);
    assert.equal(second.server.earlyDataAccepted, false);
    assert.equal(second.early, '');
    assert.equal(dec(second.pair.server.received()), 'earlyping');
  });

  it('accepts early data once per ticket: a replay gets a 1-RTT handshake', T, async () => {
    const server = earlyServer();
    const session = (await run({}, server)).sessions[0]!;
    const first = await run({ session, earlyData: enc('once') }, server);
    assert.equal(first.server.earlyDataAccepted, true);
    const replay = await run({ session, earlyData: enc('once') }, server);
    assert.equal(replay.server.earlyDataAccepted, false);
    assert.equal(replay.server.resumed, true);
    assert.equal(replay.early, '');
    assert.equal(dec(replay.pair.server.received()), 'onceping');
  });

  it('rejects early data after a HelloRetryRequest and resends it', T, async () => {
    const server = earlyServer({ groups: [NamedGroup.secp384r1, NamedGroup.x25519] });
    const session = (await run({ groups: [NamedGroup.secp384r1] }, server)).sessions[0]!;
    const second = await run({ session, earlyData: enc('hrr'), groups: [NamedGroup.x25519, NamedGroup.secp384r1] }, { ...server, groups: [NamedGroup.secp384r1] });
    assert.equal(second.client.roundTrips, 2);
    assert.equal(second.client.resumed, true);
    assert.equal(second.client.earlyDataAccepted, false);
    assert.equal(dec(second.pair.server.received()), 'hrrping');
  });

  it('sends only max_early_data_size bytes early and the rest after the handshake', T, async () => {
    const server = earlyServer({ maxEarlyData: 10 });
    const session = (await run({}, server)).sessions[0]!;
    const second = await run({ session, earlyData: enc('0123456789ABCDEF') }, server);
    assert.equal(second.server.earlyDataAccepted, true);
    assert.equal(second.early, '0123456789');
    assert.equal(dec(second.pair.server.received()), 'ABCDEFping');
  });

  it('rejects early data when the ALPN protocol differs from the ticket\'s', T, async () => {
    const server = earlyServer({ alpnProtocols: ['h2', 'http/1.1'] });
    const session = (await run({ alpnProtocols: ['h2'] }, server)).sessions[0]!;
    assert.equal(session.alpnProtocol, 'h2');
    const second = await run({ session, alpnProtocols: ['http/1.1'], earlyData: enc('x') }, server);
    assert.equal(second.client.earlyDataAccepted, false);
    assert.equal(second.client.alpnProtocol, 'http/1.1');
    assert.equal(dec(second.pair.server.received()), 'xping');
  });

  it('rejects early data when the client\'s ticket age is far from the server\'s', T, async () => {
    const server = earlyServer();
    const session = (await run({}, server)).sessions[0]!;
    const second = await run({ session, earlyData: enc('late'), now: () => Date.now() + 60_000 }, server);
    assert.equal(second.server.resumed, true);
    assert.equal(second.server.earlyDataAccepted, false);
    assert.equal(dec(second.pair.server.received()), 'lateping');
  });

  it('refuses early data without an anti-replay store', T, async () => {
    const server = earlyServer({ antiReplay: undefined });
    const session = (await run({}, server)).sessions[0]!;
    const second = await run({ session, earlyData: enc('a') }, server);
    assert.equal(second.server.earlyDataAccepted, false);
    assert.equal(dec(second.pair.server.received()), 'aping');
  });

  it('sends early data as ordinary data when there is no ticket to use', T, async () => {
    const run1 = await run({ earlyData: enc('no ticket ') }, earlyServer());
    assert.equal(run1.client.earlyDataAccepted, false);
    assert.equal(dec(run1.pair.server.received()), 'no ticket ping');
  });
});
