/**
 * The BoGo shim: ts-tls's sans-IO engine (src/connection.ts) under BoringSSL's conformance runner.
 *
 * The runner starts it once per test (test/bogo/shim.sh runs this compiled file). It parses every
 * flag first (exit 89 for any it does not implement: see flags.ts), dials the runner, writes its
 * 8-byte shim id, runs the handshake as client or server, checks what the flags expect, then echoes
 * every byte XOR 0xff until the runner closes; -resume-count N repeats that N more times with the
 * session of the previous connection. Failures go to stderr as BoringSSL's `:REASON:` (errors.ts);
 * on success stderr stays empty. Contract: test/bogo/runner/ssl/test/PORTING.md and /README.md.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { CertifiedKey, PeerVerifier, SessionState } from '../../src/config.js';
import { DEFAULT_CIPHER_SUITES } from '../../src/config.js';
import type { Connection, ConnectionSink, HandshakeSummary } from '../../src/connection.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { clientConfig, createClientConnection, createServerConnection, serverConfig } from '../../src/engine.js';
import { TLSError } from '../../src/errors.js';
import { TicketKeys } from '../../src/handshake/tickets.js';
import { CIPHER_SUITES, NamedGroup, SignatureScheme, type VersionName } from '../../src/registry.js';
import { bsslReason } from './errors.js';
import { ConnectionFlags, parseFlags, Unimplemented, type ParsedFlags } from './flags.js';

const EXIT_UNIMPLEMENTED = 89;

/** A check the test asked for did not hold: reported on stderr, exit 1. */
class CheckFailed extends Error {}

function unimplemented(why: string): never {
  throw new Unimplemented(why);
}

const VERSIONS: Readonly<Record<number, VersionName>> = { 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' };
const VERSION_NUMBERS: Readonly<Record<VersionName, number>> = { 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 } as Record<VersionName, number>;

/** Every suite ts-tls implements; BoringSSL's default list also has the RSA key exchange. */
const ALL_SUITES: readonly number[] = [...DEFAULT_CIPHER_SUITES, 0x009c, 0x009d];
const SUPPORTED_GROUPS = new Set<number>([NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1]);
/** BoringSSL's default groups (no FFDHE, no post-quantum hybrid this runner knows). */
const DEFAULT_GROUPS: readonly number[] = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
const SUPPORTED_SCHEMES = new Set<number>([
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
]);

function pemCertificates(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

/** BoringSSL cipher-string names (OpenSSL style, or the IANA names) for the suites we have. */
function cipherList(spec: string): number[] {
  const out: number[] = [];
  for (const token of spec.split(':')) {
    if (token === '') continue;
    const found = CIPHER_SUITES.find((s) => s.openssl === token || s.name === token);
    if (found === undefined) unimplemented(`cipher string ${spec}`);
    out.push(found.id);
  }
  // BoringSSL's cipher string configures TLS 1.2 only; its TLS 1.3 suites are always on.
  return [...out, 0x1301, 0x1302, 0x1303];
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

interface Shared {
  readonly parsed: ParsedFlags;
  readonly isServer: boolean;
  readonly certificates: CertifiedKey[];
  readonly ticketKeys: TicketKeys;
  readonly serverConfigCache: Map<string, ReturnType<typeof serverConfig>>;
  session: SessionState | undefined;
  clockOffset: number;
  /** What the connection that made the session saw: BoringSSL reports it again on resumption. */
  sessionPeerSignatureScheme: number | undefined;
  sessionGroup: number | undefined;
  /** The client got an alert as the first record from the server (the answer to its ClientHello). */
  alertBeforeServerHello: boolean;
}

function versionRange(f: ConnectionFlags): { minVersion: VersionName; maxVersion: VersionName } {
  let min: VersionName = 'TLSv1.2';
  let max: VersionName = 'TLSv1.3';
  const maxFlag = f.int('-max-version');
  if (maxFlag !== undefined) {
    const v = VERSIONS[maxFlag];
    if (v === undefined) unimplemented(`max version ${maxFlag.toString(16)}`);
    max = v;
  }
  const minFlag = f.int('-min-version');
  if (minFlag !== undefined && minFlag > 0x0303) {
    const v = VERSIONS[minFlag];
    if (v === undefined) unimplemented(`min version ${minFlag.toString(16)}`);
    min = v;
  }
  if (f.bool('-no-tls13')) max = 'TLSv1.2';
  if (f.bool('-no-tls12')) min = 'TLSv1.3';
  if (min === 'TLSv1.3' && max === 'TLSv1.2') unimplemented('no version left that ts-tls has');
  return { minVersion: min, maxVersion: max };
}

function common(f: ConnectionFlags, shared: Shared) {
  const groups = f.ints('-curves');
  if (groups !== undefined && groups.some((g) => !SUPPORTED_GROUPS.has(g))) unimplemented(`groups ${groups.join(',')}`);
  const schemes = f.ints('-verify-prefs');
  if (schemes !== undefined && schemes.some((s) => !SUPPORTED_SCHEMES.has(s))) unimplemented(`verify prefs ${schemes.join(',')}`);
  const cipher = f.str('-cipher');
  return {
    ...versionRange(f),
    cipherSuites: cipher === undefined ? ALL_SUITES : cipherList(cipher),
    groups: groups ?? DEFAULT_GROUPS,
    ...(schemes !== undefined ? { signatureAlgorithms: schemes } : {}),
    now: () => Date.now() + shared.clockOffset,
  };
}

/** BoringSSL's ALPN wire list (length-prefixed strings) as a list. */
function alpnList(wire: string | undefined): string[] {
  if (wire === undefined) return [];
  const out: string[] = [];
  const b = Buffer.from(wire, 'latin1');
  for (let i = 0; i < b.length; ) {
    const n = b[i]!;
    out.push(b.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += 1 + n;
  }
  return out;
}

/**
 * BoringSSL's verification as the test configures it: every chain passes unless -verify-fail. A failure
 * sends certificate_unknown from the custom callback (SSL_set_custom_verify), handshake_failure from
 * the legacy X509 callback.
 */
function verifier(f: ConnectionFlags): PeerVerifier {
  const fail = f.bool('-verify-fail');
  const alert = f.bool('-use-custom-verify-callback') ? 'certificate_unknown' : 'handshake_failure';
  const result = fail ? ({ valid: false, code: 'APPLICATION_VERIFICATION', message: 'the test rejects the certificate', alert } as const) : ({ valid: true } as const);
  return async () => result;
}

function makeConnection(f: ConnectionFlags, shared: Shared, sink: ConnectionSink, resume: boolean): Connection {
  const c = common(f, shared);
  if (shared.isServer) {
    const select = f.str('-select-alpn');
    const cfg = serverConfig({
      ...c,
      certificates: shared.certificates,
      alpnProtocols: select !== undefined && !f.bool('-decline-alpn') ? [select] : [],
      requestClientCertificate: f.bool('-verify-peer') || f.bool('-require-any-client-certificate'),
      requireClientCertificate: f.bool('-require-any-client-certificate'),
      verifyPeer: verifier(f),
      honorCipherOrder: f.bool('-server-preference'),
      ticketKeys: f.bool('-no-ticket') ? undefined : shared.ticketKeys,
      maxEarlyData: f.bool('-enable-early-data') ? 16384 : 0,
    });
    // One session cache and anti-replay store for every connection of this process, as one SSL_CTX.
    const first = shared.serverConfigCache.get('server');
    const withState = first === undefined ? cfg : { ...cfg, sessionCache: first.sessionCache, antiReplay: first.antiReplay };
    if (first === undefined) shared.serverConfigCache.set('server', cfg);
    return createServerConnection(withState, sink);
  }
  const hostName = f.str('-host-name');
  const writesFirst = f.bool('-shim-writes-first');
  const cfg = clientConfig({
    ...c,
    serverName: hostName,
    verifyHostname: undefined,
    alpnProtocols: alpnList(f.str('-advertise-alpn')),
    verifyPeer: verifier(f),
    rejectUnauthorized: f.bool('-verify-peer'),
    certificates: shared.certificates,
    falseStart: f.bool('-false-start'),
    session: resume ? shared.session : undefined,
    earlyData: resume && f.bool('-enable-early-data') && writesFirst ? new TextEncoder().encode('hello') : undefined,
  });
  return createClientConnection(cfg, sink);
}

/** The checks BoringSSL's shim makes right after the handshake (CheckHandshakeProperties). */
function checkHandshake(f: ConnectionFlags, s: HandshakeSummary, shared: Shared, resume: boolean): void {
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new CheckFailed(what);
  };
  const v = f.int('-expect-version');
  if (v !== undefined) check(VERSION_NUMBERS[s.version] === v, `version ${s.version}, expected ${v.toString(16)}`);
  const expectResume = resume && !f.bool('-expect-session-miss');
  check(s.resumed === expectResume, `session unexpectedly was${s.resumed ? '' : ' not'} reused`);
  const sni = f.str('-expect-server-name');
  if (sni !== undefined) check(s.serverName === sni, `servername mismatch (got ${s.serverName}; want ${sni})`);
  const alpn = shared.isServer ? (f.bool('-decline-alpn') ? undefined : f.str('-select-alpn')) : f.str('-expect-alpn');
  check((s.alpnProtocol ?? '') === (alpn ?? ''), `negotiated alpn proto mismatch (${s.alpnProtocol})`);
  // BoringSSL's SSL_get_extms_support is true in TLS 1.3, whose key schedule always binds the transcript.
  if (f.bool('-expect-extended-master-secret')) check(s.extendedMasterSecret || s.version === 'TLSv1.3', 'No EMS for connection when expected');
  // SSL_get_peer_signature_algorithm and SSL_get_curve_id report the session's values on resumption.
  const peerScheme = s.resumed && s.peerSignatureScheme === undefined ? shared.sessionPeerSignatureScheme : s.peerSignatureScheme;
  const group = s.resumed && s.group === undefined ? shared.sessionGroup : s.group;
  const sig = f.int('-expect-peer-signature-algorithm');
  if (sig !== undefined) check(peerScheme === sig, `peer signature algorithm was ${peerScheme?.toString(16)}, wanted ${sig.toString(16)}`);
  const curve = f.int('-expect-curve-id');
  if (curve !== undefined) check(group === curve, `curve_id was ${group?.toString(16)}, wanted ${curve.toString(16)}`);
  if (!s.resumed) {
    shared.sessionPeerSignatureScheme = s.peerSignatureScheme;
    shared.sessionGroup = s.group;
  }
  for (const flag of ['-expect-cipher', '-expect-cipher-aes']) {
    const id = f.int(flag);
    if (id !== undefined) check(s.cipherSuite.id === id, `cipher was ${s.cipherSuite.id.toString(16)}, wanted ${id.toString(16)}`);
  }
  if (f.bool('-expect-accept-early-data')) check(s.earlyDataAccepted, 'Early data was not accepted, but we expected the opposite');
  if (f.bool('-expect-reject-early-data')) check(!s.earlyDataAccepted, 'Early data was accepted, but we expected the opposite');
  if (f.bool('-expect-hrr')) check(s.version === 'TLSv1.3' && s.roundTrips === 2, 'expected a HelloRetryRequest');
  if (f.bool('-expect-no-hrr')) check(s.roundTrips !== 2, 'unexpected HelloRetryRequest');
  if (!shared.isServer || f.bool('-require-any-client-certificate')) check(s.peerCertificates.length > 0, 'Received no peer certificate but expected one.');
  // SSL_get_verify_result is X509_V_OK when no certificate came (a server that did not require one).
  if (f.bool('-expect-verify-result')) check((s.authorized || s.peerCertificates.length === 0) === !f.bool('-verify-fail'), 'Wrong certificate verification result');
  // BoringSSL's SSL_VERIFY_PEER on a server: a certificate the client does send must verify.
  if (shared.isServer && f.bool('-verify-peer') && s.peerCertificates.length > 0 && !s.authorized) {
    throw new TLSError('client certificate rejected', 'CERTIFICATE_VERIFY_FAILED');
  }
  const peerFile = f.str('-expect-peer-cert-file');
  if (peerFile !== undefined) {
    const want = pemCertificates(readFileSync(peerFile, 'latin1'));
    check(want.length === s.peerCertificates.length && want.every((c, i) => equalBytes(c, s.peerCertificates[i]!)), 'peer certificate chain mismatch');
  }
}

function runConnection(parsed: ParsedFlags, shared: Shared, index: number): Promise<void> {
  const resume = index > 0;
  const f = new ConnectionFlags(parsed, resume ? 'resume' : 'initial');
  const delay = f.int('-resumption-delay');
  if (resume && delay !== undefined) shared.clockOffset += delay * 1000;
  const port = f.int('-port')!;
  const ipv6 = f.bool('-ipv6');
  return new Promise<void>((resolve, reject) => {
    let conn!: Connection;
    let gotSession = false;
    let settled = false;
    let shuttingDown = false;
    let summary: HandshakeSummary | undefined;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err !== undefined) {
        reject(err);
        socket.end();
      } else {
        socket.end(() => resolve());
      }
    };
    const socket: Socket = connect({ host: ipv6 ? '::1' : '127.0.0.1', port });
    socket.setNoDelay(true);
    const id = Buffer.alloc(8);
    id.writeBigUInt64LE(BigInt(f.int('-shim-id') ?? 0));
    socket.write(id);
    const sink: ConnectionSink = {
      write: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      session: (s) => {
        // After SSL_shutdown BoringSSL's shim reads nothing more: a ticket behind the handshake goes unread.
        if (shuttingDown) return;
        gotSession = true;
        shared.session = s;
      },
      handshake: (s) => {
        summary = s;
        try {
          checkHandshake(f, s, shared, resume);
          const exportLength = f.int('-export-keying-material');
          if (exportLength !== undefined && exportLength > 0) {
            const context = f.bool('-use-export-context') ? new TextEncoder().encode(f.str('-export-context') ?? '') : undefined;
            conn.send(conn.exportKeyingMaterial(exportLength, f.str('-export-label') ?? '', context));
          }
          if (f.bool('-tls-unique')) {
            // RFC 5929 §3.1: the first Finished of the latest handshake: the client's in a full handshake, the server's on resumption.
            // BoringSSL refuses it on a resumption without extended master secret (RFC 7627 §5.4's triple-handshake caveat).
            if (s.resumed && !s.extendedMasterSecret) throw new CheckFailed('failed to get tls-unique');
            const clientFirst = !s.resumed;
            const mine = shared.isServer !== clientFirst;
            const fin = mine ? conn.finishedSent : conn.finishedReceived;
            if (fin === undefined) throw new CheckFailed('failed to get tls-unique');
            conn.send(fin);
          }
          if (f.bool('-shim-writes-first') && !(resume && f.bool('-enable-early-data') && !shared.isServer)) conn.send(new TextEncoder().encode('hello'));
          if (f.bool('-shim-shuts-down')) {
            // SSL_shutdown right after the handshake: quiet (nothing sent) unless -check-close-notify, which
            // sends close_notify and then waits for the peer's.
            shuttingDown = true;
            if (f.bool('-check-close-notify')) conn.close();
            else finish(endChecks());
          }
        } catch (e) {
          finish(e);
        }
      },
      data: (bytes) => {
        try {
          if (shuttingDown) throw new TLSError('application data while waiting for close_notify', 'APPLICATION_DATA_ON_SHUTDOWN');
          if (f.bool('-key-update')) conn.keyUpdate(false);
          const out = new Uint8Array(bytes.length);
          for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! ^ 0xff;
          conn.send(out);
        } catch (e) {
          finish(e);
        }
      },
      end: () => {
        // The runner is done (close_notify, or EOF after the handshake). BoringSSL's shim then calls
        // SSL_shutdown, which is quiet unless -check-close-notify: then the peer's close_notify must have
        // come, and ours answers it.
        try {
          if (f.bool('-check-close-notify')) {
            if (!conn.closeNotifyReceived) throw new CheckFailed('Unexpected SSL_shutdown result: 0 != 1 (no close_notify from the peer)');
            conn.close();
          }
          finish(endChecks());
        } catch (e) {
          finish(e);
        }
      },
      error: (e) => finish(e),
    };
    const endChecks = (): unknown => {
      if (shared.isServer || summary === undefined) return undefined;
      const expectNew = !f.bool('-expect-no-session') && !f.bool('-shim-shuts-down') && (summary.version === 'TLSv1.3' || !summary.resumed);
      if (summary.version === 'TLSv1.3' || !resume) {
        if (expectNew !== gotSession) return new CheckFailed(`new session was${gotSession ? '' : ' not'} cached, but we expected the opposite`);
      }
      if (!resume && f.bool('-expect-session-id') && !gotSession) return new CheckFailed('session was not cached on the server.');
      if (!resume && f.bool('-expect-no-session-id') && gotSession) return new CheckFailed('session was unexpectedly cached on the server.');
      if (gotSession && summary.version === 'TLSv1.3' && shared.session !== undefined) {
        const early = (shared.session.maxEarlyData ?? 0) > 0;
        if (early !== f.bool('-expect-ticket-supports-early-data')) return new CheckFailed(`new session did${early ? '' : ' not'} support early data, but we expected the opposite`);
      }
      return undefined;
    };
    try {
      conn = makeConnection(f, shared, sink, resume);
      const fragment = f.int('-max-send-fragment');
      if (fragment !== undefined) conn.maxSendFragment = fragment;
    } catch (e) {
      finish(e);
      return;
    }
    let firstChunk = true;
    socket.on('data', (d: Buffer) => {
      if (firstChunk && !shared.isServer) shared.alertBeforeServerHello = d[0] === 21; // ContentType.alert
      firstChunk = false;
      conn.receive(d);
    });
    // EOF: the engine reports a truncated handshake as an error, and an EOF after it as sink.end.
    socket.on('end', () => conn.receiveEof());
    socket.on('error', (e) => {
      if (summary !== undefined && !conn.isClosed) finish(endChecks());
      else finish(conn.error ?? e);
    });
    socket.on('close', () => {
      if (!settled) finish(conn.error ?? new TLSError('the runner closed the connection', 'UNEXPECTED_EOF'));
    });
    conn.start();
  });
}

function report(e: unknown, shared: Shared | undefined): number {
  if (e instanceof Unimplemented) {
    process.stdout.write(`${e.message}\n`);
    return EXIT_UNIMPLEMENTED;
  }
  if (e instanceof CheckFailed) {
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  if (e instanceof TLSError) {
    process.stderr.write(`:${bsslReason(e, { alertBeforeServerHello: shared?.alertBeforeServerHello ?? false })}: ${e.message} (${e.code})\n`);
    return 1;
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('-is-handshaker-supported')) {
    process.stdout.write('No\n');
    return 0;
  }
  const parsed = parseFlags(argv);
  const base = new ConnectionFlags(parsed, 'initial');
  // Parse everything up front, so an unimplemented flag or value exits 89 before any connection.
  new ConnectionFlags(parsed, 'resume');
  const isServer = base.bool('-server');
  const certificates: CertifiedKey[] = [];
  const keyFile = base.str('-key-file');
  const certFile = base.str('-cert-file');
  if (keyFile !== undefined && certFile !== undefined) {
    certificates.push({ chain: pemCertificates(readFileSync(certFile, 'latin1')), key: defaultProvider.loadPrivateKey(readFileSync(keyFile, 'latin1')) });
  }
  const shared: Shared = (sharedState = {
    parsed,
    isServer,
    certificates,
    ticketKeys: new TicketKeys(defaultProvider),
    serverConfigCache: new Map(),
    session: undefined,
    clockOffset: 0,
    sessionPeerSignatureScheme: undefined,
    sessionGroup: undefined,
    alertBeforeServerHello: false,
  });
  // Validate each phase's configuration before dialling.
  for (const phase of ['initial', 'resume'] as const) common(new ConnectionFlags(parsed, phase), shared);
  const count = 1 + (base.int('-resume-count') ?? 0);
  for (let i = 0; i < count; i++) await runConnection(parsed, shared, i);
  return 0;
}

let sharedState: Shared | undefined;

// node --test runs every .js under dist/test/ (this one too): there, do nothing (it hung npm test).
if (process.env['NODE_TEST_CONTEXT'] === undefined) main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = report(e, sharedState);
  },
);
