/**
 * Agent: an http.Agent whose connections are ts-tls TLSSockets, so that
 * node:http's client (and anything built on it) speaks HTTPS over ts-tls.
 *
 *   http.get({ host, port, agent: new Agent({ ca }), protocol: 'https:' }, ...)
 *
 * Keep-alive pooling is node:http's; we add TLS session reuse per origin
 * (the last 'session' each origin gave us is offered on the next connection).
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
  /** Cache TLS sessions per origin and offer them again (default true). */
  sessionReuse?: boolean;
  /** Called with each new TLSSocket (for 'keylog' / 'trace' listeners). */
  onSocket?: (socket: TLSSocket) => void;
}

/** What node:http hands createConnection: the request options plus the agent's. */
type ConnectionRequest = http.ClientRequestArgs & TLSAgentOptions & { servername?: string; _agentKey?: string };

const TLS_KEYS = [
  'ca', 'cert', 'key', 'passphrase', 'servername', 'rejectUnauthorized', 'minVersion', 'maxVersion',
  'cipherSuites', 'ciphers', 'groups', 'ecdhCurve', 'signatureAlgorithms', 'sigalgs', 'ALPNProtocols', 'trace',
] as const;

export class Agent extends http.Agent {
  /** node:http checks the request's protocol against the agent's. */
  readonly protocol = 'https:';
  readonly defaultPort = 443;
  private readonly tlsOptions: TLSAgentOptions;
  private readonly sessions = new Map<string, Buffer>();
  private readonly sessionReuse: boolean;
  private readonly onSocket: ((socket: TLSSocket) => void) | undefined;

  constructor(options: AgentOptions = {}) {
    super(options);
    const { sessionReuse, onSocket, ...rest } = options;
    this.tlsOptions = rest;
    this.sessionReuse = sessionReuse ?? true;
    this.onSocket = onSocket;
  }

  /** Pool key: host:port plus every TLS option that changes the connection (as node:https does). */
  override getName(options: http.ClientRequestArgs = {}): string {
    let name = super.getName(options);
    const o = options as Record<string, unknown>;
    for (const k of TLS_KEYS) {
      const v = o[k];
      name += ':';
      if (v === undefined) continue;
      name += typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' ? String(v) : JSON.stringify(v).slice(0, 64);
    }
    return name;
  }

  override createConnection(options: ConnectionRequest): Duplex {
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port ?? this.defaultPort);
    const merged: ConnectOptions = { ...this.tlsOptions };
    for (const k of TLS_KEYS) {
      const v = (options as Record<string, unknown>)[k];
      if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    }
    if (!merged.ALPNProtocols) merged.ALPNProtocols = ['http/1.1'];
    // node:http puts the Host header's name in servername; an IP literal gets no SNI.
    const servername = merged.servername ?? (net.isIP(host) ? undefined : host);
    const key = `${host}:${port}:${servername ?? ''}`;
    const session = this.sessionReuse ? this.sessions.get(key) : undefined;
    const transport = net.connect({ host, port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const socket = connect({ ...merged, host, port, socket: transport, ...(servername ? { servername } : {}), ...(session ? { session } : {}) });
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

/** The Agent request()/get() use when none is given. */
export const globalAgent = new Agent({ keepAlive: true });
