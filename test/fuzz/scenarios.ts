/**
 * The configurations the engine fuzzers start from, and how one of them is
 * run live (client and server wired in memory, a short script after the
 * handshake: data both ways, KeyUpdate in TLS 1.3, close_notify both ways).
 *
 * Every engine gets a {@link FuzzProvider} seeded by (scenario, stage, side),
 * a fixed clock, fixed ticket keys and a fresh anti-replay store, so a fresh
 * engine of the same stage behaves like the recorded one: a recorded client
 * stream replayed into a fresh server reaches (and passes) its Finished
 * check, and vice versa.
 */
import type { CertifiedKey, ClientConfig, PeerVerifier, ServerConfig, SessionState } from '../../src/config.js';
import { Certificate } from '../../src/x509/certificate.js';
import type { HandshakeSummary } from '../../src/connection.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { AntiReplay, MemorySessionCache, TicketKeys, type SessionStore } from '../../src/handshake/tickets.js';
import { NamedGroup as G, PskKeyExchangeMode, SignatureScheme as S } from '../../src/registry.js';
import { makeVerifier } from '../../src/node/trust.js';
import { acceptAll, certified, fixture } from '../helpers/pair.js';
import { Endpoint, checkEndpoint, newEndpoint, settle, wire, type EndpointOptions, type SideName, type Wiring } from './harness.js';
import { mixSeed, seedOf, type Rng } from './prng.js';
import { FuzzProvider, Memo } from './provider.js';
import type { FieldContext } from './fields.js';

/** The fixed clock every fuzzed engine reads. */
export const FUZZ_NOW = 1_750_000_000_000;
const FUZZ_ANTI_REPLAY_SCOPE = Uint8Array.of(0x46, 0x55, 0x5a, 0x5a);

export type Step =
  | { readonly op: 'send'; readonly from: SideName; readonly bytes: number }
  | { readonly op: 'keyUpdate'; readonly from: SideName; readonly request: boolean }
  | { readonly op: 'close'; readonly from: SideName };

export interface Env {
  readonly stage: Stage;
  readonly provider: FuzzProvider;
  cert(name: string): CertifiedKey;
  /** The session the warm-up handshake left (resumption scenarios). */
  readonly session: SessionState | undefined;
}

export interface Scenario {
  readonly name: string;
  readonly version: 'TLSv1.2' | 'TLSv1.3';
  client(env: Env): Partial<ClientConfig>;
  server(env: Env): Partial<ServerConfig>;
  /** Run a first handshake and resume its session in the main one. */
  readonly resume?: boolean;
  /** Crypto, certificate selection and verification answer a macrotask later (remote signer, async verifier). */
  readonly slow?: boolean;
  readonly script: readonly Step[];
}

const SCRIPT12: readonly Step[] = [
  { op: 'send', from: 'client', bytes: 120 },
  { op: 'send', from: 'server', bytes: 20_000 },
  { op: 'close', from: 'client' },
  { op: 'close', from: 'server' },
];

const SCRIPT13: readonly Step[] = [
  { op: 'send', from: 'client', bytes: 120 },
  { op: 'send', from: 'server', bytes: 20_000 },
  { op: 'keyUpdate', from: 'client', request: true },
  { op: 'send', from: 'client', bytes: 50 },
  { op: 'keyUpdate', from: 'server', request: false },
  { op: 'send', from: 'server', bytes: 70 },
  { op: 'close', from: 'client' },
  { op: 'close', from: 'server' },
];

const T12 = { maxVersion: 'TLSv1.2' } as const;

/** A verifier that says yes a macrotask later (like one that fetches an intermediate). */
const slowAccept: PeerVerifier = async () => {
  await new Promise<void>((r) => setImmediate(r));
  return { valid: true };
};

/** The verifier node:tls-style sockets use (src/x509 path validation against the test CA), built once. */
let verifier: PeerVerifier | undefined;
function x509Verifier(): PeerVerifier {
  return (verifier ??= makeVerifier({ ca: fixture('ca.pem') }));
}

/** The test CA's subject (DER), for CertificateRequest.certificate_authorities. */
function caName(): Uint8Array {
  const ca = Certificate.fromDer(certified('client-rsa').chain[0]!);
  return ca.tbs.issuerRaw;
}
const early = new TextEncoder().encode('early data, sent in the first flight');

export const SCENARIOS: readonly Scenario[] = [
  // --- TLS 1.3 --------------------------------------------------------------------------------
  {
    name: 'tls13-x25519-rsa',
    version: 'TLSv1.3',
    client: () => ({ groups: [G.x25519, G.secp256r1], signatureAlgorithms: [S.rsa_pss_rsae_sha256, S.ecdsa_secp256r1_sha256] }),
    server: (e) => ({ certificates: [e.cert('server-rsa'), e.cert('server-p256')] }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-p256-ecdsa-alpn-sni',
    version: 'TLSv1.3',
    client: () => ({ groups: [G.secp256r1], signatureAlgorithms: [S.ecdsa_secp256r1_sha256, S.rsa_pss_rsae_sha256], alpnProtocols: ['h2', 'http/1.1'] }),
    server: (e) => ({ certificates: [e.cert('server-rsa'), e.cert('server-p256')], alpnProtocols: ['http/1.1'] }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-mlkem-ed25519',
    version: 'TLSv1.3',
    client: () => ({}),
    server: (e) => ({ certificates: [e.cert('server-ed25519')] }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-hrr-p384',
    version: 'TLSv1.3',
    client: () => ({ groups: [G.x25519, G.secp384r1], cipherSuites: [0x1302, 0x1301] }),
    server: (e) => ({ groups: [G.secp384r1], certificates: [e.cert('server-p384')] }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-client-auth',
    version: 'TLSv1.3',
    client: (e) => ({ groups: [G.x25519], certificates: [e.cert('client-p256')] }),
    server: (e) => ({ certificates: [e.cert('server-rsa')], requestClientCertificate: true, requireClientCertificate: true }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-only-chacha-padded',
    version: 'TLSv1.3',
    client: () => ({ minVersion: 'TLSv1.3', groups: [G.x25519], cipherSuites: [0x1303], padRecordsTo: 64 }),
    server: (e) => ({ minVersion: 'TLSv1.3', certificates: [e.cert('server-p256')], padRecordsTo: 32 }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-resume-psk-dhe-tickets',
    version: 'TLSv1.3',
    resume: true,
    client: (e) => ({ groups: [G.x25519], session: e.session }),
    server: (e) => ({ certificates: [e.cert('server-rsa')], ticketCount: 2 }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-resume-psk-ke',
    version: 'TLSv1.3',
    resume: true,
    client: (e) => ({ groups: [G.x25519], pskModes: [PskKeyExchangeMode.psk_ke], session: e.session }),
    server: (e) => ({ certificates: [e.cert('server-p256')], pskModes: [PskKeyExchangeMode.psk_ke] }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-0rtt-alpn',
    version: 'TLSv1.3',
    resume: true,
    client: (e) => ({ groups: [G.x25519], alpnProtocols: ['h2'], session: e.session, earlyData: e.session ? early : undefined }),
    server: (e) => ({ certificates: [e.cert('server-p256')], alpnProtocols: ['h2'], maxEarlyData: 1000 }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-0rtt-rejected',
    version: 'TLSv1.3',
    resume: true,
    client: (e) => ({ groups: [G.x25519], session: e.session, earlyData: e.session ? early : undefined }),
    // The ticket allows early data; the resuming server takes none and skips it (RFC 8446 §4.2.10).
    server: (e) => ({ certificates: [e.cert('server-p256')], maxEarlyData: e.stage === 'warmup' ? 1000 : 0 }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-0rtt-hrr',
    version: 'TLSv1.3',
    resume: true,
    client: (e) => ({ groups: [G.x25519, G.secp256r1], session: e.session, earlyData: e.session ? early : undefined }),
    // The resuming server wants P-256: a HelloRetryRequest, so the early data is skipped.
    server: (e) => ({ certificates: [e.cert('server-p256')], maxEarlyData: 1000, ...(e.stage === 'main' ? { groups: [G.secp256r1] } : {}) }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-client-auth-none',
    version: 'TLSv1.3',
    client: () => ({ groups: [G.x25519] }),
    server: (e) => ({ certificates: [e.cert('server-rsa')], requestClientCertificate: true, clientCertificateAuthorities: [caName()] }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-slow-sni-client-auth',
    version: 'TLSv1.3',
    slow: true,
    client: (e) => ({ groups: [G.x25519], certificates: [e.cert('client-rsa')], verifyPeer: slowAccept }),
    server: (e) => ({
      certificates: [],
      selectCertificates: async (name) => {
        await new Promise<void>((r) => setImmediate(r));
        return name === 'localhost' ? [e.cert('server-p256')] : [e.cert('server-rsa')];
      },
      requestClientCertificate: true,
      requireClientCertificate: true,
      verifyPeer: slowAccept,
    }),
    script: SCRIPT13,
  },
  {
    name: 'tls13-x509-verified-both-ways',
    version: 'TLSv1.3',
    // The real verifier (src/x509 path validation, hostname check) on both sides: mutated certificates reach it.
    client: (e) => ({ groups: [G.x25519], certificates: [e.cert('client-rsa')], verifyPeer: x509Verifier() }),
    server: (e) => ({ certificates: [e.cert('server-p256')], requestClientCertificate: true, requireClientCertificate: true, verifyPeer: x509Verifier() }),
    script: SCRIPT13,
  },
  // --- TLS 1.2 --------------------------------------------------------------------------------
  {
    name: 'tls12-ecdhe-ecdsa',
    version: 'TLSv1.2',
    client: () => ({ ...T12, cipherSuites: [0xc02b, 0xc02c] }),
    server: (e) => ({ certificates: [e.cert('server-p256')] }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-ecdhe-rsa-alpn-sni',
    version: 'TLSv1.2',
    client: () => ({ ...T12, cipherSuites: [0xc02f, 0xc030], groups: [G.secp256r1, G.x25519], alpnProtocols: ['http/1.1', 'h2'] }),
    server: (e) => ({ certificates: [e.cert('server-rsa')], alpnProtocols: ['h2'] }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-dhe-rsa',
    version: 'TLSv1.2',
    client: () => ({ ...T12, cipherSuites: [0x009e, 0xccaa], groups: [G.ffdhe2048] }),
    server: (e) => ({ certificates: [e.cert('server-rsa')], cipherSuites: [0x009e, 0xccaa], groups: [G.ffdhe2048] }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-rsa-kx',
    version: 'TLSv1.2',
    client: () => ({ ...T12, cipherSuites: [0x009c, 0x009d] }),
    server: (e) => ({ certificates: [e.cert('server-rsa')], cipherSuites: [0x009c, 0x009d] }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-chacha-client-auth',
    version: 'TLSv1.2',
    client: (e) => ({ ...T12, cipherSuites: [0xcca9], certificates: [e.cert('client-rsa')] }),
    server: (e) => ({ certificates: [e.cert('server-p256')], requestClientCertificate: true, requireClientCertificate: true }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-client-auth-none',
    version: 'TLSv1.2',
    client: () => ({ ...T12, cipherSuites: [0xc02f] }),
    server: (e) => ({ certificates: [e.cert('server-rsa')], requestClientCertificate: true, clientCertificateAuthorities: [caName()] }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-slow-dhe-client-auth',
    version: 'TLSv1.2',
    slow: true,
    client: (e) => ({ ...T12, cipherSuites: [0x009e], groups: [G.ffdhe2048], certificates: [e.cert('client-p256')], verifyPeer: slowAccept }),
    server: (e) => ({ certificates: [e.cert('server-rsa')], cipherSuites: [0x009e], groups: [G.ffdhe2048], requestClientCertificate: true, verifyPeer: slowAccept }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-x509-verified-both-ways',
    version: 'TLSv1.2',
    client: (e) => ({ ...T12, cipherSuites: [0xc02f], certificates: [e.cert('client-p256')], verifyPeer: x509Verifier() }),
    server: (e) => ({ certificates: [e.cert('server-rsa')], requestClientCertificate: true, requireClientCertificate: true, verifyPeer: x509Verifier() }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-resume-ticket',
    version: 'TLSv1.2',
    resume: true,
    client: (e) => ({ ...T12, cipherSuites: [0xc02f], session: e.session }),
    server: (e) => ({ certificates: [e.cert('server-rsa')] }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-resume-session-id',
    version: 'TLSv1.2',
    resume: true,
    client: (e) => ({ ...T12, cipherSuites: [0xc02b], session: e.session }),
    server: (e) => ({ certificates: [e.cert('server-p256')], ticketKeys: undefined }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-false-start',
    version: 'TLSv1.2',
    client: () => ({ ...T12, cipherSuites: [0xc02f], falseStart: true }),
    server: (e) => ({ certificates: [e.cert('server-rsa')] }),
    script: SCRIPT12,
  },
  {
    name: 'tls12-client-vs-tls13-server',
    version: 'TLSv1.2',
    client: () => ({ ...T12, groups: [G.x25519] }),
    server: (e) => ({ certificates: [e.cert('server-rsa'), e.cert('server-p256')] }),
    script: SCRIPT12,
  },
];

/** What the field walker (fields.ts) needs to know about a scenario's messages. */
export function fieldContextOf(s: Scenario): FieldContext {
  return { version: s.version, kx: s.version === 'TLSv1.3' ? undefined : s.name.includes('dhe-rsa') ? 'DHE' : s.name.includes('rsa-kx') ? 'RSA' : 'ECDHE' };
}

export function scenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

// ---------------------------------------------------------------- engines of a scenario

const fixtureKeys = new Map<string, CertifiedKey>();
function fixtureKey(name: string): CertifiedKey {
  let k = fixtureKeys.get(name);
  if (!k) fixtureKeys.set(name, (k = certified(name)));
  return k;
}

/** A server's session-ID cache: what the warm-up left, plus this engine's own entries. */
class OverlayCache implements SessionStore {
  private readonly own = new MemorySessionCache();
  constructor(private readonly base: MemorySessionCache) {}
  get(id: Uint8Array): SessionState | undefined {
    return this.own.get(id) ?? this.base.get(id);
  }
  set(id: Uint8Array, s: SessionState): void {
    this.own.set(id, s);
  }
  delete(id: Uint8Array): void {
    this.own.delete(id);
  }
}

/** What a scenario keeps between its engines: the memo, the warm-up's session and cache. */
export interface ScenarioState {
  readonly scenario: Scenario;
  readonly memo: Memo;
  readonly ticketKeyBytes: Uint8Array;
  readonly baseCache: MemorySessionCache;
  session: SessionState | undefined;
}

export function newScenarioState(s: Scenario): ScenarioState {
  const seed = seedOf(s.name);
  const keyBytes = new Uint8Array(48);
  for (let i = 0; i < 48; i++) keyBytes[i] = (seed >>> (i % 24)) ^ i;
  return { scenario: s, memo: new Memo(), ticketKeyBytes: keyBytes, baseCache: new MemorySessionCache(), session: undefined };
}

export type Stage = 'warmup' | 'main';

function env(st: ScenarioState, stage: Stage, side: SideName): Env {
  const seed = mixSeed(seedOf(st.scenario.name), stage === 'main' ? 2 : 1, side === 'client' ? 1 : 2);
  const provider = new FuzzProvider(defaultProvider, st.memo, `${st.scenario.name}/${stage}/${side}`, seed, st.scenario.slow === true);
  return {
    stage,
    provider,
    cert: (name) => {
      const k = fixtureKey(name);
      return { chain: k.chain, key: provider.wrapKey(k.key) };
    },
    session: stage === 'main' ? st.session : undefined,
  };
}

export function clientConfigOf(st: ScenarioState, stage: Stage): Partial<ClientConfig> {
  const e = env(st, stage, 'client');
  return { verifyPeer: acceptAll, serverName: 'localhost', now: () => FUZZ_NOW, ...st.scenario.client(e), provider: e.provider };
}

export function serverConfigOf(st: ScenarioState, stage: Stage): Partial<ServerConfig> {
  const e = env(st, stage, 'server');
  const own = st.scenario.server(e);
  return {
    verifyPeer: acceptAll,
    certificates: [e.cert('server-rsa'), e.cert('server-p256')],
    now: () => FUZZ_NOW,
    ticketKeys: new TicketKeys(e.provider, { keys: st.ticketKeyBytes }),
    sessionCache: stage === 'warmup' ? st.baseCache : new OverlayCache(st.baseCache),
    // One fixed scope for every stage: tickets from the warm-up carry 0-RTT into the fuzzed stage.
    antiReplay: new AntiReplay(e.provider, { scope: FUZZ_ANTI_REPLAY_SCOPE }),
    ...own,
    provider: e.provider,
  };
}

export function newClient(st: ScenarioState, stage: Stage, o: EndpointOptions = {}): Endpoint {
  return newEndpoint('client', clientConfigOf(st, stage), o);
}

export function newServer(st: ScenarioState, stage: Stage, o: EndpointOptions = {}): Endpoint {
  return newEndpoint('server', serverConfigOf(st, stage), o);
}

// ---------------------------------------------------------------- a live run

export interface LiveOptions {
  readonly wiring?: Wiring;
  readonly client?: EndpointOptions;
  readonly server?: EndpointOptions;
  /** Called before each script step (and once more at the end, index = script length). */
  readonly beforeStep?: (index: number, client: Endpoint, server: Endpoint) => void;
  /** Hook into the engines before they start (e.g. wrap sendHandshake). */
  readonly setup?: (client: Endpoint, server: Endpoint) => void;
  readonly stage?: Stage;
}

export interface LiveRun {
  readonly client: Endpoint;
  readonly server: Endpoint;
}

function pattern(n: number, salt: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + salt) & 0xff;
  return b;
}

/** Handshake, then the script step by step, each followed by a settle. Never throws for engine misbehaviour. */
export async function runLive(st: ScenarioState, o: LiveOptions = {}): Promise<LiveRun> {
  const stage = o.stage ?? 'main';
  const client = newClient(st, stage, o.client);
  const server = newServer(st, stage, o.server);
  wire(client, server, o.wiring);
  o.setup?.(client, server);
  server.start();
  client.start();
  await settle([client, server], 200);
  const steps = st.scenario.script;
  for (let i = 0; i <= steps.length; i++) {
    o.beforeStep?.(i, client, server);
    const step = steps[i];
    if (step === undefined) break;
    const ep = step.from === 'client' ? client : server;
    if (ep.handshakes === 0 || ep.conn.isClosed || ep.conn.closeNotifySent) continue;
    try {
      if (step.op === 'send') ep.conn.send(pattern(step.bytes, i));
      else if (step.op === 'keyUpdate') ep.conn.keyUpdate(step.request);
      else ep.conn.close();
    } catch (e) {
      ep.violation(`script step ${step.op} threw ${e instanceof Error ? e.message : String(e)}`);
    }
    await settle([client, server], 100);
  }
  return { client, server };
}

/** Bytes of application data the script sends from `side`. */
export function scriptBytes(s: Scenario, from: SideName): number {
  return s.script.reduce((n, st) => n + (st.op === 'send' && st.from === from ? st.bytes : 0), 0);
}

/** The recorded streams of an unmutated run of one scenario. */
export interface Recording {
  readonly state: ScenarioState;
  /** Each write of each side, in order. */
  readonly writes: { readonly client: readonly Uint8Array[]; readonly server: readonly Uint8Array[] };
  /** Plaintext handshake messages each side sent (header + body). */
  readonly messages: { readonly client: readonly Uint8Array[]; readonly server: readonly Uint8Array[] };
  /** What each side reported at the end of its handshake. */
  readonly summaries: { readonly client: HandshakeSummary | undefined; readonly server: HandshakeSummary | undefined };
  /** Every trace event of both sides (for the tracer fuzzer). */
  readonly events: { readonly client: readonly import('../../src/connection.js').TraceEvent[]; readonly server: readonly import('../../src/connection.js').TraceEvent[] };
}

/** Problems of an unmutated run (an empty list when it went as it should). */
export function controlProblems(s: Scenario, r: LiveRun): string[] {
  const out: string[] = [];
  for (const ep of [r.client, r.server]) {
    for (const v of checkEndpoint(ep)) out.push(`${ep.side}: ${v}`);
    if (ep.error !== undefined) out.push(`${ep.side} failed: ${ep.error instanceof Error ? ep.error.message : String(ep.error)}`);
    if (ep.handshakes !== 1) out.push(`${ep.side}: ${ep.handshakes} handshakes`);
    if (!ep.conn.closeNotifyReceived) out.push(`${ep.side}: no close_notify received`);
  }
  const early = s.name.includes('0rtt') ? r.server.earlyBytes : 0;
  if (r.server.dataBytes + early < scriptBytes(s, 'client')) out.push(`server got ${r.server.dataBytes}+${early} of ${scriptBytes(s, 'client')} bytes`);
  if (r.client.dataBytes !== scriptBytes(s, 'server')) out.push(`client got ${r.client.dataBytes} of ${scriptBytes(s, 'server')} bytes`);
  // With the data kept: the bytes themselves (the server's may start with resent 0-RTT data).
  for (const ep of [r.client, r.server]) {
    if (ep.received.length === 0) continue;
    const got = Buffer.concat(ep.received);
    const want = scriptData(s, ep.side === 'client' ? 'server' : 'client');
    if (got.length < want.length || Buffer.compare(got.subarray(got.length - want.length), want) !== 0) out.push(`${ep.side} received different bytes than were sent`);
  }
  return out;
}

/** The application data the script sends from `from`, in order. */
export function scriptData(s: Scenario, from: SideName): Buffer {
  return Buffer.concat(s.script.flatMap((st, i) => (st.op === 'send' && st.from === from ? [pattern(st.bytes, i)] : [])));
}

/**
 * Record a scenario: the warm-up (for resumption) and the main run, unmutated,
 * filling the memo so later engines of the same stage repeat them.
 */
export async function record(s: Scenario, chunkRng?: Rng): Promise<Recording> {
  const st = newScenarioState(s);
  if (s.resume) {
    const warm = await runLive(st, { stage: 'warmup' });
    const problems = controlProblems(s, warm);
    if (problems.length > 0) throw new Error(`${s.name} warm-up: ${problems.join('; ')}`);
    st.session = warm.client.sessions[0];
    if (st.session === undefined) throw new Error(`${s.name} warm-up left no session`);
  }
  const run = await runLive(st, {
    client: { keepMessages: true, keepData: true },
    server: { keepMessages: true, keepData: true },
    ...(chunkRng ? { wiring: { chunkRng } } : {}),
  });
  const problems = controlProblems(s, run);
  if (problems.length > 0) throw new Error(`${s.name} control run: ${problems.join('; ')}`);
  if (s.resume && !(run.client.conn.summary?.resumed ?? false)) throw new Error(`${s.name}: the main run did not resume`);
  st.memo.recording = false;
  return {
    state: st,
    writes: { client: run.client.writes, server: run.server.writes },
    messages: { client: run.client.sentMessages, server: run.server.sentMessages },
    events: { client: run.client.traceEvents, server: run.server.traceEvents },
    summaries: { client: run.client.conn.summary, server: run.server.conn.summary },
  };
}
