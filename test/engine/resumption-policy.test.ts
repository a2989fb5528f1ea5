/**
 * Resumption never bypasses the server's client-authentication policy, and
 * 0-RTT is never accepted twice across servers (issue 11, items 6 and 7):
 *
 * - every session a server issues (TLS 1.2 ticket or cache entry, TLS 1.3
 *   ticket) is bound to a digest of requestClientCertificate,
 *   requireClientCertificate, the CA names and sessionIdContext; a session
 *   from another policy gets a full handshake, and a session without a
 *   certificate never resumes where one is required;
 * - early data is accepted only under a ticket issued with the server's
 *   anti-replay scope: two servers sharing ticket keys but not the store do
 *   not both accept one replayed first flight.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { certified, connectPair, handshakeBoth, settle, until, type Pair } from '../helpers/pair.js';
import { caVerifier } from '../helpers/verify.js';
import type { ClientConfig, ServerConfig, SessionState } from '../../src/config.js';
import type { HandshakeSummary } from '../../src/connection.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { createServerConnection, serverConfig } from '../../src/engine.js';
import { AntiReplay, MemorySessionCache, TicketKeys, decodeSession, encodeSession, type AntiReplayStore } from '../../src/handshake/tickets.js';
import type { VersionName } from '../../src/registry.js';

const T = { timeout: 15_000 };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const verifier = caVerifier();
const clientCert = certified('client-p256');

interface Run {
  readonly pair: Pair;
  readonly client: HandshakeSummary;
  readonly server: HandshakeSummary;
  readonly sessions: SessionState[];
  readonly early: string;
}

/** Handshake, exchange a line each way, collect the client's sessions and the server's early data. */
async function run(client: Partial<ClientConfig>, server: Partial<ServerConfig>): Promise<Run> {
  const pair = connectPair({ verifyPeer: verifier, ...client }, { verifyPeer: verifier, ...server });
  const sessions: SessionState[] = [];
  const early: Uint8Array[] = [];
  pair.client.conn.sink.session = (s) => sessions.push(s);
  pair.server.conn.sink.earlyData = (b) => early.push(b.slice());
  const [c, s] = await handshakeBoth(pair);
  pair.client.conn.send(enc('ping'));
  await until(() => pair.server.received().length > 0 && (sessions.length > 0 || c.resumed), 'data and a session');
  await settle(2);
  return { pair, client: c, server: s, sessions, early: dec(new Uint8Array(Buffer.concat(early))) };
}

/** Resumption state shared by a "fleet": one set of ticket keys, one cache. */
function shared(): Pick<ServerConfig, 'ticketKeys' | 'sessionCache'> {
  return { ticketKeys: new TicketKeys(defaultProvider), sessionCache: new MemorySessionCache() };
}

const mtls: Partial<ServerConfig> = { requestClientCertificate: true, requireClientCertificate: true };

for (const version of ['TLSv1.2', 'TLSv1.3'] as const satisfies readonly VersionName[]) {
  for (const carrier of version === 'TLSv1.2' ? (['ticket', 'session ID'] as const) : (['ticket'] as const)) {
    describe(`${version} resumption by ${carrier} follows the client-authentication policy`, () => {
      const state = (): Partial<ServerConfig> => {
        const s = shared();
        return carrier === 'ticket' ? s : { ...s, ticketKeys: undefined };
      };
      const client: Partial<ClientConfig> = { maxVersion: version };

      it('resumes under an unchanged mTLS policy, reporting the verified certificate', T, async () => {
        const fleet = state();
        const first = await run({ ...client, certificates: [clientCert] }, { ...fleet, ...mtls });
        assert.equal(first.server.authorized, true);
        const second = await run({ ...client, certificates: [clientCert], session: first.sessions[0]! }, { ...fleet, ...mtls });
        assert.equal(second.server.resumed, true);
        assert.equal(second.server.authorized, true);
        assert.equal(second.server.peerCertificates.length, 1);
      });

      it('does not resume a session from a server without client auth on an mTLS server sharing its keys', T, async () => {
        const fleet = state();
        const first = await run(client, fleet);
        assert.equal(first.server.peerCertificates.length, 0);
        const session = first.sessions[0]!;
        // The attack: resume without any certificate. A full handshake follows, which needs one.
        const pair = connectPair({ ...client, verifyPeer: verifier, session }, { ...fleet, ...mtls, verifyPeer: verifier });
        const outcome = await Promise.race([
          pair.server.handshake.then(
            (s) => `handshake completed (resumed: ${s.resumed}) without a client certificate`,
            () => new Promise<never>(() => {}),
          ),
          pair.server.closed.then((e) => e),
        ]);
        assert.ok(typeof outcome !== 'string', String(outcome));
        assert.equal(outcome?.alert?.name, version === 'TLSv1.3' ? 'certificate_required' : 'handshake_failure');
        // With a certificate: a full handshake, not a resumption.
        const second = await run({ ...client, certificates: [clientCert], session }, { ...fleet, ...mtls });
        assert.equal(second.server.resumed, false);
        assert.equal(second.server.authorized, true);
      });

      it('does not resume after the trusted CA names change', T, async () => {
        const fleet = state();
        const first = await run({ ...client, certificates: [clientCert] }, { ...fleet, ...mtls });
        const caName = new Uint8Array([0x30, 0x00]);
        const second = await run({ ...client, certificates: [clientCert], session: first.sessions[0]! }, { ...fleet, ...mtls, clientCertificateAuthorities: [caName] });
        assert.equal(second.server.resumed, false);
        assert.equal(second.server.authorized, true);
      });

      it('does not resume after sessionIdContext changes (how an application says its trust changed)', T, async () => {
        const fleet = state();
        const before = { ...fleet, ...mtls, sessionIdContext: enc('trust v1') };
        const first = await run({ ...client, certificates: [clientCert] }, before);
        const same = await run({ ...client, certificates: [clientCert], session: first.sessions[0]! }, { ...before });
        assert.equal(same.server.resumed, true);
        const second = await run({ ...client, certificates: [clientCert], session: first.sessions[0]! }, { ...before, sessionIdContext: enc('trust v2') });
        assert.equal(second.server.resumed, false);
      });

      it('does not resume an mTLS session on a server that no longer requests certificates, nor the reverse', T, async () => {
        const fleet = state();
        const first = await run({ ...client, certificates: [clientCert] }, { ...fleet, ...mtls });
        const plain = await run({ ...client, session: first.sessions[0]! }, fleet);
        assert.equal(plain.server.resumed, false);
        const optional = { ...fleet, requestClientCertificate: true };
        const noCert = await run(client, optional);
        assert.equal(noCert.server.authorized, false);
        const again = await run({ ...client, session: noCert.sessions[0]! }, optional);
        assert.equal(again.server.resumed, true, 'the same optional-certificate policy resumes');
        assert.equal(again.server.authorized, false);
        const required = await run({ ...client, certificates: [clientCert], session: noCert.sessions[0]! }, { ...fleet, ...mtls });
        assert.equal(required.server.resumed, false);
      });
    });
  }
}

describe('session binding', () => {
  it('round-trips the policy digest and the 0-RTT scope through the session codec', () => {
    const s: SessionState = {
      version: 'TLSv1.3',
      cipherSuite: 0x1301,
      secret: new Uint8Array(32).fill(1),
      serverName: 'example.com',
      alpnProtocol: undefined,
      peerCertificates: [],
      ticketAgeAdd: 7,
      ticketLifetime: 100,
      maxEarlyData: 0,
      createdAt: 1_700_000_000_000,
      context: new Uint8Array(32).fill(2),
      earlyDataScope: Uint8Array.of(9, 9, 9),
    };
    const back = decodeSession(encodeSession(s));
    assert.deepEqual(back.context, s.context);
    assert.deepEqual(back.earlyDataScope, s.earlyDataScope);
    const { context: _c, earlyDataScope: _e, ...plain } = s;
    const unbound = decodeSession(encodeSession(plain));
    assert.equal(unbound.context, undefined);
    assert.equal(unbound.earlyDataScope, undefined);
  });

  it('does not resume a cached session that carries no binding (stored before it existed, or by hand)', T, async () => {
    const cache = new MemorySessionCache();
    const fleet = { ticketKeys: undefined, sessionCache: cache };
    const first = await run({ maxVersion: 'TLSv1.2' }, fleet);
    const id = first.sessions[0]!.sessionId!;
    const { context: _c, ...stripped } = cache.get(id)!;
    cache.set(id, stripped);
    const second = await run({ maxVersion: 'TLSv1.2', session: first.sessions[0]! }, fleet);
    assert.equal(second.server.resumed, false);
  });
});

// ---------------------------------------------------------------- 0-RTT across servers

/**
 * Resume with early data and record the client's first flight (ClientHello and 0-RTT records, everything
 * it sends before the server's first answer arrives), as an attacker on the path would.
 */
async function recordFirstFlight(session: SessionState, server: Partial<ServerConfig>): Promise<{ flight: Uint8Array; run: Run }> {
  const flight: Uint8Array[] = [];
  let serverSpoke = false;
  const pair = connectPair(
    { verifyPeer: verifier, session, earlyData: enc('transfer 100') },
    { verifyPeer: verifier, ...server },
    {
      tamper: (from, bytes) => {
        if (from === 'server') serverSpoke = true;
        else if (!serverSpoke) flight.push(bytes.slice());
        return bytes;
      },
    },
  );
  const early: Uint8Array[] = [];
  pair.server.conn.sink.earlyData = (b) => early.push(b.slice());
  const [c, s] = await handshakeBoth(pair);
  return { flight: new Uint8Array(Buffer.concat(flight)), run: { pair, client: c, server: s, sessions: [], early: dec(new Uint8Array(Buffer.concat(early))) } };
}

/** Feed a recorded first flight to a fresh server connection; the early data it accepted (empty when refused). */
async function replay(flight: Uint8Array, server: Partial<ServerConfig>): Promise<string> {
  const early: Uint8Array[] = [];
  const conn = createServerConnection(serverConfig({ certificates: [certified('server-p256')], verifyPeer: verifier, ...server }), {
    write: () => {},
    earlyData: (b) => early.push(b.slice()),
  });
  conn.start();
  conn.receive(flight);
  await settle(20);
  conn.destroy();
  return dec(new Uint8Array(Buffer.concat(early)));
}

describe('TLS 1.3 0-RTT anti-replay across servers sharing ticket keys', () => {
  const earlyFleet = (): Partial<ServerConfig> => ({ ...shared(), maxEarlyData: 1024 });

  it('accepts a first flight once in the whole fleet when each server has its own store (0-RTT only where the ticket was issued)', T, async () => {
    const fleet = earlyFleet();
    const a = { ...fleet, antiReplay: new AntiReplay(defaultProvider) };
    const b = { ...fleet, antiReplay: new AntiReplay(defaultProvider) };
    const session = (await run({}, a)).sessions[0]!;
    const { flight, run: original } = await recordFirstFlight(session, a);
    assert.equal(original.server.earlyDataAccepted, true);
    assert.equal(original.early, 'transfer 100');
    assert.equal(await replay(flight, a), '', 'replayed to the issuing server');
    assert.equal(await replay(flight, b), '', 'replayed to another server of the fleet');
  });

  it('still resumes on the other server, with 1-RTT data only', T, async () => {
    const fleet = earlyFleet();
    const a = { ...fleet, antiReplay: new AntiReplay(defaultProvider) };
    const b = { ...fleet, antiReplay: new AntiReplay(defaultProvider) };
    const session = (await run({}, a)).sessions[0]!;
    const other = await run({ session, earlyData: enc('early') }, b);
    assert.equal(other.server.resumed, true);
    assert.equal(other.server.earlyDataAccepted, false);
    assert.equal(dec(other.pair.server.received()), 'earlyping');
  });

  it('accepts 0-RTT on every server of a fleet sharing one store, still once', T, async () => {
    const fleet = earlyFleet();
    const store = new AntiReplay(defaultProvider);
    const a = { ...fleet, antiReplay: store };
    const b = { ...fleet, antiReplay: store };
    const session = (await run({}, a)).sessions[0]!;
    const { flight, run: original } = await recordFirstFlight(session, b);
    assert.equal(original.server.earlyDataAccepted, true, 'the other server of the fleet takes 0-RTT');
    assert.equal(await replay(flight, a), '');
    assert.equal(await replay(flight, b), '');
  });

  it('waits for an asynchronous shared store and honours its answer', T, async () => {
    const fleet = earlyFleet();
    const seen = new Set<string>();
    const store: AntiReplayStore = {
      scope: enc('fleet-1'),
      firstUse: async (id) => {
        await settle(2);
        const key = Buffer.from(id).toString('hex');
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      },
    };
    const a = { ...fleet, antiReplay: store };
    const b = { ...fleet, antiReplay: { scope: enc('fleet-1'), firstUse: store.firstUse } };
    const session = (await run({}, a)).sessions[0]!;
    const { flight, run: original } = await recordFirstFlight(session, b);
    assert.equal(original.server.earlyDataAccepted, true);
    assert.equal(await replay(flight, a), '');
  });
});
