/**
 * Node-shaped options (as node:tls spells them) → engine configuration.
 */
import type { CertifiedKey, ClientConfig, CommonConfig, PeerVerifier, ServerConfig, SessionState } from '../config.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { defaultProvider } from '../crypto/node.js';
import { clientConfig, serverConfig } from '../engine.js';
import { TLSError } from '../errors.js';
import { TicketKeys, type AntiReplayStore } from '../handshake/tickets.js';
import { Writer } from '../wire/writer.js';
import { parseNodeCiphers, parseSigalgs } from './cipher-string.js';
import { secureOptionsEffect } from './secure-options.js';
import {
  NamedGroup,
  PskKeyExchangeMode,
  SignatureScheme,
  cipherSuiteByName,
  codeOf,
  type VersionName,
} from '../registry.js';

export type PemOrDer = string | Uint8Array;
export type OneOrMany<T> = T | readonly T[];

/** Options both sides share (names as in node:tls where Node has them). */
export interface CommonOptions {
  minVersion?: VersionName;
  maxVersion?: VersionName;
  /** IANA (or OpenSSL) suite names in preference order, as an array or colon-separated string. */
  cipherSuites?: readonly string[] | string;
  /** node:tls's OpenSSL cipher list; accepted when it names suites we implement. */
  ciphers?: string;
  /** Group names (x25519, secp256r1/P-256, secp384r1/P-384, X25519MLKEM768, ffdhe2048...). */
  groups?: readonly string[] | string;
  /** Node's name for groups. */
  ecdhCurve?: string;
  signatureAlgorithms?: readonly string[] | string;
  sigalgs?: string;
  ALPNProtocols?: readonly string[] | readonly Uint8Array[] | Uint8Array;
  ca?: OneOrMany<PemOrDer>;
  /** Certificate revocation lists (PEM or DER) the peer's chain is checked against, as node:tls (see src/node/trust.ts). */
  crl?: OneOrMany<PemOrDer>;
  cert?: OneOrMany<PemOrDer>;
  key?: OneOrMany<PemOrDer | { pem: PemOrDer; passphrase?: string }>;
  passphrase?: string;
  rejectUnauthorized?: boolean;
  /**
   * OpenSSL's method name, as node:tls takes it: 'TLS_method' / 'SSLv23_method' (and their _client/_server
   * forms) leave the versions as they are, 'TLSv1_2_method' pins TLS 1.2; the TLS 1.0/1.1 and SSLv3
   * methods are refused. Not together with minVersion/maxVersion (as Node).
   */
  secureProtocol?: string;
  provider?: CryptoProvider;
  /** Emit 'trace' events (see src/trace). */
  trace?: boolean;
  /**
   * node:tls's enableTrace: print every record and handshake message to stderr as it crosses the wire,
   * in ts-tls's Wireshark-style format (node prints OpenSSL's SSL_trace format).
   */
  enableTrace?: boolean;
  /**
   * Node's OpenSSL option bits (crypto.constants.SSL_OP_*): SSL_OP_NO_TLSv1_2/3 narrow the versions,
   * SSL_OP_NO_TICKET turns session tickets off (server), SSL_OP_CIPHER_SERVER_PREFERENCE sets
   * honorCipherOrder; the SSLv3/TLS 1.0/1.1 and SSL_OP_ALL workaround bits change nothing; any other
   * bit is refused (src/node/secure-options.ts).
   */
  secureOptions?: number;
}

export interface ConnectOptions extends CommonOptions {
  host?: string;
  port?: number;
  path?: string;
  socket?: import('node:stream').Duplex;
  servername?: string;
  checkServerIdentity?: (hostname: string, cert: import('./peer-certificate.js').PeerCertificate) => Error | undefined;
  session?: Uint8Array;
  /** TLS False Start (TLS 1.2 ECDHE/DHE): send data after our Finished. */
  falseStart?: boolean;
  /** TLS 1.3 0-RTT data to send with a resumed session. */
  earlyData?: Uint8Array;
  /** TLS 1.3 PSK modes to offer when resuming: 'psk_dhe_ke' (default) and/or 'psk_ke'. */
  pskModes?: readonly ('psk_dhe_ke' | 'psk_ke')[];
  /** Smallest TLS 1.2 DHE prime accepted, in bits; values under 2048 change nothing (2048 is the floor). */
  minDHSize?: number;
  timeout?: number;
  /** Keep our side writable after the server ends its side (node's allowHalfOpen). */
  allowHalfOpen?: boolean;
  // net.connect() options, passed through to the TCP connection as node:tls does.
  lookup?: import('node:net').LookupFunction;
  localAddress?: string;
  localPort?: number;
  family?: number;
  hints?: number;
  autoSelectFamily?: boolean;
  autoSelectFamilyAttemptTimeout?: number;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  signal?: AbortSignal;
  /**
   * Fetch intermediates the server did not send, from the caIssuers URL of the certificate that lacks
   * its issuer (RFC 5280 §4.2.2.1), as browsers do: http: only, bounded, cached across connections
   * (src/x509/aia.ts, src/node/aia-fetch.ts). Default false, like node:tls (which never fetches).
   */
  fetchIntermediates?: boolean;
}

export interface ServerOptions extends CommonOptions {
  /** Keep a connection writable after the client ends its side (node's allowHalfOpen; default false). */
  allowHalfOpen?: boolean;
  requestCert?: boolean;
  SNICallback?: (servername: string, cb: (err: Error | null, ctx?: SecureContextLike) => void) => void;
  honorCipherOrder?: boolean;
  /** 48 bytes (or a multiple: current first, then older keys that still open tickets). Share across a fleet to resume each other's sessions. */
  ticketKeys?: Uint8Array;
  handshakeTimeout?: number;
  /** Session and ticket lifetime in seconds (default 7200). */
  sessionTimeout?: number;
  /** TLS 1.3 0-RTT: most early-data bytes accepted per connection (default 0: early data refused). */
  maxEarlyData?: number;
  /** TLS 1.3 tickets sent after each full handshake (default 2, as node:tls / OpenSSL). */
  ticketCount?: number;
  /**
   * Opaque identifier sessions are bound to (node:tls's sessionIdContext): a ticket or cached session
   * from a server with another value does not resume. Sessions are also bound to requestCert,
   * rejectUnauthorized, ca and crl whatever this is.
   */
  sessionIdContext?: string | Uint8Array;
  /**
   * node:tls's custom DH parameters for TLS 1.2 DHE. Only 'auto' is accepted: ts-tls uses the RFC 7919
   * ffdhe groups (choose among them with `groups`); custom parameters are refused (ERR_TLS_UNSUPPORTED_OPTION).
   */
  dhparam?: 'auto' | string | Uint8Array;
  /**
   * ts-tls: the 0-RTT anti-replay store (default: one per server, so early data is accepted only by the
   * server that issued the ticket). Give every server of a fleet one shared store to accept 0-RTT on all.
   */
  antiReplay?: AntiReplayStore;
}

/** What SNICallback hands back: our createSecureContext() result, or options to build one. */
export interface SecureContextLike {
  readonly certificates?: readonly CertifiedKey[];
  readonly cert?: OneOrMany<PemOrDer>;
  readonly key?: OneOrMany<PemOrDer | { pem: PemOrDer; passphrase?: string }>;
}

/** TLS 1.3 tickets node:tls sends after a full handshake (OpenSSL's default num_tickets). */
const NODE_TLS13_TICKET_COUNT = 2;

/** OpenSSL's SSL_OP_NO_TICKET, as node:crypto.constants spells it. */
export const SSL_OP_NO_TICKET = 0x4000;

const asList = <T>(v: OneOrMany<T> | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]);

function names(v: readonly string[] | string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return (typeof v === 'string' ? v.split(':') : [...v]).map((s) => s.trim()).filter((s) => s.length > 0);
}

function optionError(message: string, code = 'ERR_TLS_INVALID_OPTION'): TLSError {
  return new TLSError(message, code);
}

/**
 * node:tls options ts-tls does not implement, and why. Ignoring them would
 * silently drop what the caller asked for (a certificate, a revocation
 * check, a callback that must run), so each is refused when given.
 */
const UNSUPPORTED_OPTIONS: Readonly<Record<string, string>> = {
  pfx: 'PKCS#12 (pfx) is not supported: pass cert and key (openssl pkcs12 -nodes converts)',
  secureContext: 'a node:tls SecureContext cannot be used by ts-tls: pass ca, cert and key (or createSecureContext() from ts-tls)',
  pskCallback: 'external pre-shared keys (pskCallback) are not supported',
  pskIdentityHint: 'external pre-shared keys (pskIdentityHint) are not supported',
  privateKeyEngine: 'OpenSSL engines are not available: pass key, or a provider whose loadPrivateKey signs elsewhere',
  privateKeyIdentifier: 'OpenSSL engines are not available: pass key, or a provider whose loadPrivateKey signs elsewhere',
  clientCertEngine: 'OpenSSL engines are not available for client certificates',
  requestOCSP: 'OCSP stapling is not supported',
  ALPNCallback: 'ALPNCallback is not supported: pass ALPNProtocols in preference order',
  onread: 'onread is not supported on TLS sockets',
};

const UNSUPPORTED_OPTION_NAMES = Object.keys(UNSUPPORTED_OPTIONS);

/** Refuse the node:tls options we cannot honour (TypeScript callers cannot pass them; JavaScript callers can). */
function refuseUnsupported(o: object): void {
  const given = o as Record<string, unknown>;
  for (const name of UNSUPPORTED_OPTION_NAMES) {
    const v = given[name];
    if (v === undefined || v === null || v === false) continue;
    throw optionError(`option ${name}: ${UNSUPPORTED_OPTIONS[name]}`, 'ERR_TLS_UNSUPPORTED_OPTION');
  }
}

const ANY_VERSION_METHODS = new Set(['TLS_method', 'TLS_client_method', 'TLS_server_method', 'SSLv23_method', 'SSLv23_client_method', 'SSLv23_server_method']);
const TLS12_METHODS = new Set(['TLSv1_2_method', 'TLSv1_2_client_method', 'TLSv1_2_server_method']);

const VERSION_ORDER: readonly VersionName[] = ['TLSv1.2', 'TLSv1.3'];

/**
 * minVersion/maxVersion from the options: secureProtocol (Node's rules and error codes), then
 * secureOptions' SSL_OP_NO_TLSv1_2/3, then a `ciphers` string with no TLS 1.2 suite (node then
 * raises the minimum to TLS 1.3).
 */
function versionRange(o: CommonOptions): { minVersion?: VersionName; maxVersion?: VersionName } {
  const r = declaredVersionRange(o);
  const so = secureOptionsEffect(o.secureOptions);
  const tls13Only = o.cipherSuites === undefined && o.ciphers !== undefined && parseNodeCiphers(o.ciphers).tls13Only;
  let min = r.minVersion;
  let max = r.maxVersion;
  const rank = (v: VersionName | undefined, d: number): number => (v === undefined ? d : VERSION_ORDER.indexOf(v));
  if (so.minVersion && rank(min, 0) < rank(so.minVersion, 0)) min = so.minVersion;
  if (so.maxVersion && rank(max, 1) > rank(so.maxVersion, 1)) max = so.maxVersion;
  if (tls13Only && rank(min, 0) < 1 && rank(max, 1) > 0) min = 'TLSv1.3';
  if (rank(min, 0) > rank(max, 1)) throw optionError(`no TLS version left between ${min ?? 'TLSv1.2'} and ${max ?? 'TLSv1.3'} (secureOptions, ciphers and min/maxVersion together)`, 'ERR_SSL_NO_PROTOCOLS_AVAILABLE');
  return { ...(min ? { minVersion: min } : {}), ...(max ? { maxVersion: max } : {}) };
}

function declaredVersionRange(o: CommonOptions): { minVersion?: VersionName; maxVersion?: VersionName } {
  const p = o.secureProtocol;
  if (p === undefined) return { ...(o.minVersion ? { minVersion: o.minVersion } : {}), ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}) };
  if (o.minVersion !== undefined || o.maxVersion !== undefined) {
    throw optionError(`secureProtocol "${p}" cannot be combined with minVersion/maxVersion`, 'ERR_TLS_PROTOCOL_VERSION_CONFLICT');
  }
  if (ANY_VERSION_METHODS.has(p)) return {};
  if (TLS12_METHODS.has(p)) return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
  throw optionError(`secureProtocol "${p}" is not supported (ts-tls speaks TLS 1.2 and 1.3 only)`, 'ERR_TLS_UNSUPPORTED_OPTION');
}

/** Suites from `cipherSuites` (IANA or OpenSSL names) or node:tls's `ciphers` (an OpenSSL cipher string, see cipher-string.ts). */
export function parseSuites(o: CommonOptions): number[] | undefined {
  if (o.cipherSuites === undefined && o.ciphers !== undefined) return parseNodeCiphers(o.ciphers).suites;
  const list = names(o.cipherSuites);
  if (!list) return undefined;
  const ids: number[] = [];
  for (const n of list) {
    const s = cipherSuiteByName(n);
    if (s) ids.push(s.id);
    else throw optionError(`unknown or unsupported cipher suite ${n}`);
  }
  if (ids.length === 0) throw optionError('no supported cipher suite in the cipher list');
  return ids;
}

const GROUP_ALIASES: Record<string, string> = { 'P-256': 'secp256r1', 'P-384': 'secp384r1', 'P-521': 'secp521r1', prime256v1: 'secp256r1', X25519: 'x25519' };

export function parseGroups(o: CommonOptions): number[] | undefined {
  const list = names(o.groups) ?? (o.ecdhCurve && o.ecdhCurve !== 'auto' ? names(o.ecdhCurve) : undefined);
  if (!list) return undefined;
  return list.map((n) => {
    const id = codeOf(NamedGroup, GROUP_ALIASES[n] ?? n);
    if (id === undefined) throw optionError(`unknown group ${n}`);
    return id;
  });
}

export function parseSignatureAlgorithms(o: CommonOptions): number[] | undefined {
  if (o.signatureAlgorithms === undefined && o.sigalgs !== undefined) return parseSigalgs(o.sigalgs);
  const list = names(o.signatureAlgorithms);
  if (!list) return undefined;
  return list.map((n) => {
    const id = codeOf(SignatureScheme, n);
    if (id === undefined) throw optionError(`unknown signature scheme ${n}`);
    if (n.includes('sha1')) throw optionError(`SHA-1 signature scheme ${n} is not allowed`);
    return id;
  });
}

export function parseAlpn(v: CommonOptions['ALPNProtocols']): string[] {
  if (v === undefined) return [];
  if (v instanceof Uint8Array) {
    // Node's wire form: length-prefixed protocol names.
    const out: string[] = [];
    for (let i = 0; i < v.length; ) {
      const n = v[i]!;
      out.push(Buffer.from(v.subarray(i + 1, i + 1 + n)).toString('latin1'));
      i += 1 + n;
    }
    return out;
  }
  return (v as readonly (string | Uint8Array)[]).map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('latin1')));
}

/** All certificates in PEM text(s) or DER buffer(s), as DER. */
export function certificatesFrom(v: OneOrMany<PemOrDer> | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const item of asList(v)) {
    const text = typeof item === 'string' ? item : looksLikePem(item) ? Buffer.from(item).toString('latin1') : undefined;
    if (text === undefined) {
      out.push(item as Uint8Array);
      continue;
    }
    const re = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;
    for (let m = re.exec(text); m; m = re.exec(text)) out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  }
  return out;
}

function looksLikePem(b: Uint8Array): boolean {
  return b.length > 10 && b[0] === 0x2d && b[1] === 0x2d;
}

/**
 * cert/key options → certified keys. Node pairs `cert[i]` with `key[i]`; a
 * single cert PEM may hold the whole chain (leaf first).
 */
export function certifiedKeys(o: Pick<CommonOptions, 'cert' | 'key' | 'passphrase' | 'provider'>): CertifiedKey[] {
  const certs = asList(o.cert);
  const keys = asList(o.key);
  if (certs.length !== keys.length) {
    if (certs.length === 0 || keys.length === 0) {
      if (certs.length + keys.length === 0) return [];
      throw optionError('cert and key must be given together');
    }
    throw optionError('cert and key lists differ in length');
  }
  const p = o.provider ?? defaultProvider;
  return certs.map((c, i) => {
    const k = keys[i]!;
    const pem = typeof k === 'object' && !(k instanceof Uint8Array) ? k.pem : k;
    const pass = typeof k === 'object' && !(k instanceof Uint8Array) ? k.passphrase ?? o.passphrase : o.passphrase;
    const chain = certificatesFrom(c);
    if (chain.length === 0) throw optionError('cert holds no certificate');
    let key;
    try {
      key = p.loadPrivateKey(pem, pass);
    } catch (e) {
      throw new TLSError(`cannot load private key: ${(e as Error).message}`, 'ERR_TLS_INVALID_KEY', undefined, { cause: e });
    }
    return { chain, key };
  });
}

/** The options both sides share, translated once (each list parsed once). */
function commonConfig(o: CommonOptions, provider: CryptoProvider): Partial<CommonConfig> {
  const cipherSuites = parseSuites(o);
  const groups = parseGroups(o);
  const signatureAlgorithms = parseSignatureAlgorithms(o);
  refuseUnsupported(o);
  return {
    provider,
    ...versionRange(o),
    ...(cipherSuites ? { cipherSuites } : {}),
    ...(groups ? { groups } : {}),
    ...(signatureAlgorithms ? { signatureAlgorithms } : {}),
    alpnProtocols: parseAlpn(o.ALPNProtocols),
    trace: (o.trace ?? false) || o.enableTrace === true,
  };
}

export function toClientConfig(o: ConnectOptions, verifyPeer: PeerVerifier, serverName: string | undefined, session: SessionState | undefined): ClientConfig {
  const provider = o.provider ?? defaultProvider;
  return clientConfig({
    ...commonConfig(o, provider),
    serverName,
    verifyHostname: o.host && !o.servername ? o.host : serverName,
    verifyPeer,
    rejectUnauthorized: o.rejectUnauthorized !== false,
    certificates: certifiedKeys({ ...o, provider }),
    falseStart: o.falseStart ?? false,
    session,
    earlyData: o.earlyData,
    ...(o.pskModes ? { pskModes: o.pskModes.map((m) => PskKeyExchangeMode[m]) } : {}),
    ...(o.minDHSize !== undefined ? { minDhPrimeBits: minDhSize(o.minDHSize) } : {}),
  });
}

function minDhSize(v: unknown): number {
  // Node: a positive number, else ERR_OUT_OF_RANGE / ERR_INVALID_ARG_TYPE.
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw optionError(`minDHSize must be a positive number (got ${String(v)})`, 'ERR_OUT_OF_RANGE');
  return v;
}

/**
 * What the server's sessions are bound to beyond the engine's own policy digest (requestCert,
 * rejectUnauthorized): sessionIdContext, and the ca and crl the verifier trusts, as given (another
 * spelling of the same CA only costs a full handshake).
 */
function sessionIdContextOf(o: ServerOptions, provider: CryptoProvider): Uint8Array {
  const sid = o.sessionIdContext;
  if (sid !== undefined && typeof sid !== 'string' && !(sid instanceof Uint8Array)) {
    throw optionError('sessionIdContext must be a string or a Uint8Array', 'ERR_INVALID_ARG_TYPE');
  }
  const bytes = (v: PemOrDer): Uint8Array => (typeof v === 'string' ? new TextEncoder().encode(v) : v);
  const w = new Writer(1024);
  w.vec24(() => w.bytes(sid === undefined ? new Uint8Array(0) : bytes(sid)));
  // A default trust store (no ca) is not the same as an empty list.
  w.u8(o.ca === undefined ? 0 : 1);
  w.vec24(() => asList(o.ca).forEach((c) => w.opaque24(bytes(c))));
  w.vec24(() => asList(o.crl).forEach((c) => w.opaque24(bytes(c))));
  return provider.hash('sha256', w.finish());
}

export function toServerConfig(o: ServerOptions, verifyPeer: PeerVerifier): ServerConfig {
  const provider = o.provider ?? defaultProvider;
  if (o.dhparam !== undefined && o.dhparam !== null && o.dhparam !== 'auto') {
    throw optionError(
      "option dhparam: custom DH parameters are not supported: TLS 1.2 DHE uses the RFC 7919 ffdhe groups (choose with groups, e.g. 'ffdhe3072'); pass 'auto' or omit it",
      'ERR_TLS_UNSUPPORTED_OPTION',
    );
  }
  const certificates = certifiedKeys({ ...o, provider });
  const sni = o.SNICallback;
  return serverConfig({
    ...commonConfig(o, provider),
    certificates,
    selectCertificates: sni ? sniSelector(sni, provider) : undefined,
    requestClientCertificate: o.requestCert ?? false,
    // Node: rejectUnauthorized (default true) only matters with requestCert.
    requireClientCertificate: (o.requestCert ?? false) && o.rejectUnauthorized !== false,
    verifyPeer,
    honorCipherOrder: o.honorCipherOrder ?? true,
    ...(secureOptionsEffect(o.secureOptions).noTicket
      ? { ticketKeys: undefined }
      : o.ticketKeys
        ? { ticketKeys: new TicketKeys(provider, { keys: o.ticketKeys }) }
        : {}),
    ...(o.sessionTimeout !== undefined ? { sessionTimeout: o.sessionTimeout } : {}),
    ...(o.maxEarlyData !== undefined ? { maxEarlyData: o.maxEarlyData } : {}),
    // node:tls (OpenSSL's SSL_CTX_set_num_tickets default) sends two TLS 1.3 tickets; the engine's own default is one.
    ticketCount: o.ticketCount ?? NODE_TLS13_TICKET_COUNT,
    sessionIdContext: sessionIdContextOf(o, provider),
    ...(o.antiReplay !== undefined ? { antiReplay: o.antiReplay } : {}),
  });
}

type SniCallback = NonNullable<ServerOptions['SNICallback']>;

/** A node:tls SecureContext (its native `context` inside): its private key cannot be read back. */
function isNodeSecureContext(ctx: object): boolean {
  return 'context' in ctx && !('certificates' in ctx) && !('cert' in ctx);
}

/** The certified keys of what an SNICallback (or addContext) handed back. */
export function contextCertificates(ctx: SecureContextLike, provider: CryptoProvider): readonly CertifiedKey[] {
  if (isNodeSecureContext(ctx)) {
    throw new TLSError(
      "SNICallback returned a node:tls SecureContext, whose key ts-tls cannot use: return ts-tls's createSecureContext({ cert, key }) (or those options)",
      'ERR_TLS_UNSUPPORTED_OPTION',
      { name: 'internal_error', number: 80, direction: 'sent' },
    );
  }
  return ctx.certificates ?? certifiedKeys({ cert: ctx.cert, key: ctx.key, provider });
}

/** The engine's certificate selection over node:tls's SNICallback. */
export function sniSelector(sni: SniCallback, provider: CryptoProvider): NonNullable<ServerConfig['selectCertificates']> {
  return (name) =>
    new Promise((resolve, reject) => {
      if (name === undefined) return resolve(undefined);
      sni(name, (err, ctx) => {
        if (err) return reject(new TLSError(`SNICallback failed: ${err.message}`, 'ERR_TLS_SNI_CALLBACK', { name: 'unrecognized_name', number: 112, direction: 'sent' }));
        if (!ctx) return resolve(undefined);
        try {
          resolve(contextCertificates(ctx, provider));
        } catch (e) {
          reject(e);
        }
      });
    });
}

/** What createSecureContext() makes: the certified keys, for SNICallback, addContext and setKeyCert. */
export class SecureContext implements SecureContextLike {
  constructor(readonly certificates: readonly CertifiedKey[]) {}
}

/** Node's tls.createSecureContext, reduced to the certificate and key (what SNICallback, addContext and setKeyCert use). */
export function createSecureContext(o: Pick<CommonOptions, 'cert' | 'key' | 'passphrase' | 'provider'> = {}): SecureContext {
  return new SecureContext(certifiedKeys(o));
}
