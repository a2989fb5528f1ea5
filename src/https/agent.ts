/**
 * Agent: an http.Agent whose connections are ts-tls TLSSockets, so that
 * node:http's client (and anything built on it) speaks HTTPS over ts-tls.
 *
 *   http.get({ host, port, agent: new Agent({ ca }), protocol: 'https:' }, ...)
 *
 * As node:https's Agent: node:http merges the request's options with the
 * agent's (the agent's win), puts the Host header's name in `servername`, and
 * hands the whole merge to createConnection, which passes every option on to
 * connect() — nothing is picked from a list, so nothing a request asks for
 * (its own checkServerIdentity, crl, session, minDHSize, secureOptions...) is
 * dropped, and an option connect() refuses is refused here too. The pool key
 * (getName) holds node:https's TLS options and ours; it is also the key of the
 * TLS session cache, so a session is only offered to a connection made with
 * the same options (a client certificate's session never resumes for a
 * request without it).
 *
 * One deliberate difference, on the safe side: node:https leaves
 * checkServerIdentity and minDHSize out of the pool key, so a kept-alive
 * socket checked without a pin can carry a request that asks for one; here
 * they are part of it (a function by identity).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { connect } from '../node/connect.js';
import type { ConnectOptions } from '../node/options.js';
import type { TLSSocket } from '../node/tlssocket.js';

/** TLS options an Agent applies to every connection (node:https's Agent options, ts-tls spelling). */
export type TLSAgentOptions = Omit<ConnectOptions, 'host' | 'port' | 'path' | 'socket' | 'session'>;

export interface AgentOptions extends http.AgentOptions, TLSAgentOptions {
  /** Cache TLS sessions per origin and options, and offer them again (default true). */
  sessionReuse?: boolean;
  /** Called with each new TLSSocket (for 'keylog' / 'trace' listeners). */
  onSocket?: (socket: TLSSocket) => void;
}

/** What node:http hands createConnection: the request's options merged with the agent's. */
type ConnectionRequest = http.ClientRequestArgs & ConnectOptions & { servername?: string; _agentKey?: string; socketPath?: string };

/**
 * The options that make a connection different, in node:https's getName order
 * (lib/https.js), then ts-tls's own. Server-side names node lists (dhparam,
 * honorCipherOrder, sessionIdContext) are kept so keys match node's layout.
 */
const POOL_KEY_OPTIONS = [
  'ca', 'cert', 'clientCertEngine', 'ciphers', 'key', 'pfx', 'rejectUnauthorized', 'servername', 'minVersion',
  'maxVersion', 'secureProtocol', 'crl', 'honorCipherOrder', 'ecdhCurve', 'dhparam', 'secureOptions',
  'sessionIdContext', 'sigalgs', 'privateKeyIdentifier', 'privateKeyEngine',
  // ts-tls's options, and the two node leaves out (see the module comment).
  'passphrase', 'cipherSuites', 'groups', 'signatureAlgorithms', 'ALPNProtocols', 'checkServerIdentity', 'minDHSize',
  'pskModes', 'falseStart', 'earlyData', 'provider', 'trace', 'enableTrace', 'fetchIntermediates',
] as const;

/** The http.Agent / http.ClientRequest options that are not connect()'s (left out of what connect() sees). */
const HTTP_ONLY_OPTIONS = new Set([
  'agent', '_defaultAgent', '_agentKey', 'headers', 'method', 'auth', 'protocol', 'hostname', 'defaultPort', 'setHost',
  'createConnection', 'insecureHTTPParser', 'joinDuplicateHeaders', 'maxHeaderSize', 'uniqueHeaders', 'signal',
  'encoding', 'socketPath', 'path', 'maxSockets', 'maxTotalSockets', 'maxFreeSockets', 'scheduling', 'keepAliveMsecs',
  'sessionReuse', 'onSocket', 'localAddress', 'localPort', 'family', 'hints', 'lookup', 'autoSelectFamily',
  'autoSelectFamilyAttemptTimeout', 'noDelay', 'keepAlive', 'keepAliveInitialDelay',
]);

/** The net.connect options node:https's connection takes from the request (tls.connect → net). */
const NET_OPTIONS = ['localAddress', 'localPort', 'family', 'hints', 'lookup', 'autoSelectFamily', 'autoSelectFamilyAttemptTimeout', 'noDelay', 'keepAlive', 'keepAliveInitialDelay'] as const;

let nextObjectId = 1;
const objectIds = new WeakMap<object, number>();
/** Functions and providers enter the pool key by identity. */
function objectId(v: object): string {
  let id = objectIds.get(v);
  if (id === undefined) objectIds.set(v, (id = nextObjectId++));
  return `#${id}`;
}

function keyPart(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return `[${v.map(keyPart).join(',')}]`;
  if (typeof v === 'function') return objectId(v);
  if (typeof v === 'object') {
    // { pem, passphrase } keys; anything else (a provider) by identity.
    const o = v as Record<string, unknown>;
    return 'pem' in o ? `{${keyPart(o['pem'])}|${keyPart(o['passphrase'])}}` : objectId(o);
  }
  return String(v);
}

export class Agent extends http.Agent {
  /** node:http checks the request's protocol against the agent's. */
  readonly protocol = 'https:';
  readonly defaultPort = 443;
  private readonly sessions = new Map<string, Buffer>();
  private readonly sessionReuse: boolean;
  private readonly onSocket: ((socket: TLSSocket) => void) | undefined;

  constructor(options: AgentOptions = {}) {
    // node:http keeps every option (this.options) and merges it over each request's.
    super(options);
    this.sessionReuse = options.sessionReuse ?? true;
    this.onSocket = options.onSocket;
  }

  /** Pool key: host:port:localAddress plus every TLS option that changes the connection (as node:https, and more). */
  override getName(options: http.ClientRequestArgs = {}): string {
    let name = super.getName(options);
    const o = options as Record<string, unknown>;
    for (const k of POOL_KEY_OPTIONS) {
      name += ':';
      // node: servername only counts when it is not the host.
      if (k === 'servername' && o[k] === o['host']) continue;
      name += keyPart(o[k]);
    }
    return name;
  }

  override createConnection(options: ConnectionRequest): Duplex {
    const o = options as Record<string, unknown>;
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port ?? this.defaultPort);
    const tls: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (!HTTP_ONLY_OPTIONS.has(k) && v !== undefined) tls[k] = v;
    const merged = tls as ConnectOptions;
    if (!merged.ALPNProtocols) merged.ALPNProtocols = ['http/1.1'];
    // node:http puts the Host header's name in servername; an IP literal gets no SNI.
    const named = merged.servername || host;
    const servername = net.isIP(named) ? undefined : named;
    const key = options._agentKey ?? this.getName({ ...options, host, port });
    // As node:https: a session the request gives wins over the cached one.
    const session = merged.session ?? (this.sessionReuse ? this.sessions.get(key) : undefined);
    const netOptions: Record<string, unknown> = {};
    for (const k of NET_OPTIONS) if (o[k] !== undefined && o[k] !== null) netOptions[k] = o[k];
    const socketPath = options.socketPath;
    const transport = socketPath ? net.connect({ ...netOptions, path: socketPath }) : net.connect({ ...netOptions, host, port });
    let socket: TLSSocket;
    try {
      socket = connect({ ...merged, host, port, socket: transport, servername, session });
    } catch (e) {
      // An option connect() refuses: no connection (node:http reports the throw on the request).
      transport.destroy();
      throw e;
    }
    // node:http (and http2) wait for 'connect' while the TCP socket is connecting.
    transport.once('connect', () => socket.emit('connect'));
    if (this.sessionReuse) {
      socket.on('session', (s: Buffer) => this.sessions.set(key, s));
      socket.once('tlsError', () => this.sessions.delete(key));
    }
    this.onSocket?.(socket);
    // Returned synchronously: node:http takes it from here (errors reach the request's 'error').
    return socket;
  }
}

/** The Agent request()/get() use when none is given (node:https's globalAgent keeps connections alive too). */
export const globalAgent = new Agent({ keepAlive: true });
