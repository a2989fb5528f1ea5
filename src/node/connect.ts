/**
 * connect(): node:tls.connect's twin over the ts-tls engine.
 */
import * as net from 'node:net';
import { createClientConnection } from '../engine.js';
import { toClientConfig, type ConnectOptions } from './options.js';
import { TLSSocket } from './tlssocket.js';
import { makeVerifier, peerCertificate } from './trust.js';
import { decodeSessionBytes, encodeSessionBytes } from './session.js';

/**
 * The read buffer of every client socket connect() makes: reads are handed to
 * the engine synchronously (one JavaScript thread), which copies what it keeps.
 */
const SHARED_READ_BUFFER = Buffer.alloc(64 * 1024);

/** RFC 6066 §3: SNI carries host names, never IP literals. */
function defaultServername(host: string | undefined): string | undefined {
  if (!host || net.isIP(host)) return undefined;
  return host;
}

export function connect(options: ConnectOptions, secureConnectListener?: () => void): TLSSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, secureConnectListener?: () => void): TLSSocket;
export function connect(
  a: ConnectOptions | number,
  b?: string | (() => void),
  c?: ConnectOptions,
  d?: () => void,
): TLSSocket {
  const options: ConnectOptions =
    typeof a === 'number' ? { ...(c ?? {}), port: a, ...(typeof b === 'string' ? { host: b } : {}) } : a;
  const cb = typeof b === 'function' ? b : typeof a === 'number' ? d : undefined;
  const host = options.host ?? 'localhost';
  const servername = options.servername ?? defaultServername(host);
  // Our own socket reads into one shared buffer and straight into the engine (onread): no Buffer per
  // read and no net.Socket Readable layer under ours. The engine copies what it keeps of each read.
  // Options first: one we refuse throws before any connection is opened.
  const session = options.session ? decodeSessionBytes(options.session) : undefined;
  const verifyPeer = makeVerifier({ ca: options.ca, crl: options.crl, checkServerIdentity: options.checkServerIdentity, provider: options.provider });
  const config = toClientConfig({ ...options, host }, verifyPeer, servername, session);
  let reader: TLSSocket | undefined;
  const onread = { buffer: SHARED_READ_BUFFER, callback: (n: number, buf: Uint8Array): boolean => reader?.receiveTransient(buf.subarray(0, n)) ?? true };
  const transport = options.socket ?? net.connect({ host, port: options.port ?? 443, noDelay: true, onread, ...(options.path ? { path: options.path } : {}) });
  const socket = new TLSSocket(transport, {
    createConnection: (sink) => createClientConnection(config, sink),
    encodeSession: encodeSessionBytes,
    peerCertificate,
  });
  if (!options.socket) reader = socket;
  socket.on('secure', () => socket.emit('secureConnect'));
  if (cb) socket.once('secureConnect', cb);
  if (options.timeout) socket.setTimeout(options.timeout);
  const start = (): void => socket.startHandshake();
  const t = transport as net.Socket;
  if (options.socket || !t.connecting) queueMicrotask(start);
  else t.once('connect', start);
  return socket;
}
