/**
 * connect(): node:tls.connect's twin over the ts-tls engine.
 */
import * as net from 'node:net';
import { createClientConnection } from '../engine.js';
import { contextCertificates, toClientConfig, type ConnectOptions } from './options.js';
import { defaultProvider } from '../crypto/node.js';
import type { TraceEvent } from '../connection.js';
import type { AiaFetchEvent } from '../x509/aia.js';
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

function fetchNote(e: AiaFetchEvent): TraceEvent {
  const what = e.ok ? `fetched ${e.detail}` : `failed: ${e.detail}`;
  return { direction: 'received', kind: 'note', note: `caIssuers ${e.url} (issuer of ${e.for})${e.source === 'cache' ? ' from cache' : ''}: ${what}` };
}

/** net.connect()'s options that node:tls.connect passes through to the TCP connection. */
const NET_OPTIONS = ['lookup', 'localAddress', 'localPort', 'family', 'hints', 'autoSelectFamily', 'autoSelectFamilyAttemptTimeout', 'keepAlive', 'keepAliveInitialDelay', 'signal'] as const;

let rejectUnauthorizedWarned = false;

/**
 * NODE_TLS_REJECT_UNAUTHORIZED=0 makes rejectUnauthorized default to false, with node's warning
 * (once per process). An explicit rejectUnauthorized option wins, as in node.
 */
function defaultRejectUnauthorized(): boolean {
  if (process.env['NODE_TLS_REJECT_UNAUTHORIZED'] !== '0') return true;
  if (!rejectUnauthorizedWarned) {
    rejectUnauthorizedWarned = true;
    process.emitWarning(
      "Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections and HTTPS requests insecure by disabling certificate verification.",
    );
  }
  return false;
}

type ConnectListener = () => void;

/** node:tls's argument forms: (options[, cb]), (port[, host][, options][, cb]), (path[, options][, cb]). */
function normalizeArgs(args: readonly unknown[]): { options: ConnectOptions; cb: ConnectListener | undefined } {
  const last = args[args.length - 1];
  const cb = typeof last === 'function' ? (last as ConnectListener) : undefined;
  const a = args[0];
  if (a !== null && typeof a === 'object') return { options: { ...(a as ConnectOptions) }, cb };
  const options: ConnectOptions = {};
  if (typeof a === 'string' && !/^\d+$/.test(a)) options.path = a;
  else if (a !== undefined) {
    options.port = Number(a);
    if (typeof args[1] === 'string') options.host = args[1];
  }
  // As node (tls.js normalizeConnectArgs): the first object after the port/host is the options; its host wins.
  const extra = args[1] !== null && typeof args[1] === 'object' ? args[1] : args[2] !== null && typeof args[2] === 'object' ? args[2] : undefined;
  return { options: { ...options, ...(extra as ConnectOptions | undefined) }, cb };
}

export function connect(options: ConnectOptions, secureConnectListener?: ConnectListener): TLSSocket;
export function connect(port: number, options?: ConnectOptions, secureConnectListener?: ConnectListener): TLSSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, secureConnectListener?: ConnectListener): TLSSocket;
export function connect(port: number, host?: string, secureConnectListener?: ConnectListener): TLSSocket;
export function connect(...args: unknown[]): TLSSocket {
  const { options: given, cb } = normalizeArgs(args);
  const options: ConnectOptions = given.rejectUnauthorized === undefined ? { ...given, rejectUnauthorized: defaultRejectUnauthorized() } : given;
  const host = options.host ?? 'localhost';
  const servername = options.servername ?? defaultServername(host);
  // Our own socket reads into one shared buffer and straight into the engine (onread): no Buffer per
  // read and no net.Socket Readable layer under ours. The engine copies what it keeps of each read.
  // Options first: one we refuse throws before any connection is opened.
  const session = options.session ? decodeSessionBytes(options.session) : undefined;
  let traced: TLSSocket | undefined;
  const verifyPeer = makeVerifier({
    ca: options.ca,
    crl: options.crl,
    checkServerIdentity: options.checkServerIdentity,
    provider: options.provider,
    fetchIntermediates: options.fetchIntermediates,
    // The trace shows each caIssuers fetch as a note.
    ...(options.fetchIntermediates && options.trace ? { onFetch: (e: AiaFetchEvent) => traced?.emit('trace', fetchNote(e)) } : {}),
  });
  const config = toClientConfig({ ...options, host }, verifyPeer, servername, session);
  let reader: TLSSocket | undefined;
  const onread = { buffer: SHARED_READ_BUFFER, callback: (n: number, buf: Uint8Array): boolean => reader?.receiveTransient(buf.subarray(0, n)) ?? true };
  const netOptions: Record<string, unknown> = {};
  for (const k of NET_OPTIONS) if (options[k] !== undefined) netOptions[k] = options[k];
  const transport =
    options.socket ??
    net.connect({
      ...netOptions,
      host,
      port: options.port ?? 443,
      noDelay: true,
      onread,
      // The TLSSocket decides when our side ends (after its close_notify); the TCP socket never ends by itself.
      allowHalfOpen: true,
      ...(options.path ? { path: options.path } : {}),
    } as net.NetConnectOpts);
  const provider = options.provider ?? defaultProvider;
  const socket = new TLSSocket(transport, {
    createConnection: (sink) => createClientConnection(config, sink),
    encodeSession: encodeSessionBytes,
    peerCertificate,
    certifiedKeys: (ctx) => contextCertificates(ctx, provider),
    ...(options.allowHalfOpen !== undefined ? { allowHalfOpen: options.allowHalfOpen } : {}),
  });
  if (!options.socket) reader = socket;
  if (options.enableTrace) socket.enableTrace();
  traced = socket;
  socket.on('secure', () => socket.emit('secureConnect'));
  if (cb) socket.once('secureConnect', cb);
  if (options.timeout) socket.setTimeout(options.timeout);
  const start = (): void => socket.startHandshake();
  const t = transport as net.Socket;
  if (options.socket || !t.connecting) queueMicrotask(start);
  else t.once('connect', start);
  return socket;
}
