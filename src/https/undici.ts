/**
 * A `connect` function for undici, so that fetch() runs over ts-tls:
 *
 *   import { Agent, fetch } from 'undici';
 *   const dispatcher = new Agent({ connect: undiciConnector({ ca }) });
 *   await fetch('https://localhost:8443/', { dispatcher });
 *
 * The types are structural (undici's buildConnector.connector shape), so ts-tls
 * needs no runtime dependency on undici. undici's own types name net/tls
 * sockets; our TLSSocket is a Duplex with the same methods, hence the cast
 * callers make (`as unknown as buildConnector.connector`).
 */
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from '../node/connect.js';
import type { TLSSocket } from '../node/tlssocket.js';
import type { TLSAgentOptions } from './agent.js';

/** What undici passes to a connector. */
export interface UndiciConnectOptions {
  hostname: string;
  host?: string;
  protocol: string;
  port: string;
  servername?: string | null;
  localAddress?: string | null;
  httpSocket?: Duplex;
}

export type UndiciConnectCallback = (err: Error | null, socket: Duplex | null) => void;
export type UndiciConnector = (options: UndiciConnectOptions, callback: UndiciConnectCallback) => void;

export interface UndiciConnectorOptions extends TLSAgentOptions {
  /** Offer "h2" too (pair with undici's `allowH2: true`). Default: HTTP/1.1 only. */
  allowH2?: boolean;
  /** Called with each new TLSSocket (for 'keylog' / 'trace' listeners). */
  onSocket?: (socket: TLSSocket) => void;
  /** TLS session reuse per origin (default true). */
  sessionReuse?: boolean;
}

export function undiciConnector(options: UndiciConnectorOptions = {}): UndiciConnector {
  const { allowH2, onSocket, sessionReuse, ...tls } = options;
  const sessions = new Map<string, Buffer>();
  return (o, callback) => {
    if (o.protocol !== 'https:') {
      callback(new Error(`ts-tls undici connector: protocol ${o.protocol} is not https:`), null);
      return;
    }
    const host = o.hostname.startsWith('[') ? o.hostname.slice(1, -1) : o.hostname;
    const port = Number(o.port || 443);
    const servername = tls.servername ?? o.servername ?? (net.isIP(host) ? undefined : host);
    const key = `${host}:${port}:${servername ?? ''}`;
    const session = sessionReuse === false ? undefined : sessions.get(key);
    const transport = o.httpSocket ?? net.connect({ host, port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    const socket = tlsConnect({
      ...tls,
      ALPNProtocols: tls.ALPNProtocols ?? (allowH2 ? ['h2', 'http/1.1'] : ['http/1.1']),
      host,
      port,
      socket: transport,
      ...(servername ? { servername } : {}),
      ...(session ? { session } : {}),
    });
    if (sessionReuse !== false) socket.on('session', (s: Buffer) => sessions.set(key, s));
    onSocket?.(socket);
    let done = false;
    const onError = (err: Error): void => {
      if (done) return;
      done = true;
      sessions.delete(key);
      callback(err, null);
    };
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      if (done) return;
      done = true;
      socket.removeListener('error', onError);
      callback(null, socket);
    });
  };
}
