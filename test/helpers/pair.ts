/**
 * Wire a client engine to a server engine in memory. Bytes written by one are
 * fed to the other; tests observe events and may tamper with the bytes in flight.
 */
import { readFileSync } from 'node:fs';
import type { CertifiedKey, ClientConfig, PeerVerifier, ServerConfig } from '../../src/config.js';
import type { Connection, HandshakeSummary, TraceEvent } from '../../src/connection.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { clientConfig, createClientConnection, createServerConnection, serverConfig } from '../../src/engine.js';
import type { TLSError } from '../../src/errors.js';
import { projectRoot } from './paths.js';
import { join } from 'node:path';

export function fixture(name: string): string {
  return readFileSync(join(projectRoot, 'test', 'fixtures', 'pki', name), 'utf8');
}

export function pemToDer(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

/** A fixture certificate + key: 'server-rsa', 'server-p256', 'server-p384', 'client-rsa', 'client-p256'. */
export function certified(name: string): CertifiedKey {
  return { chain: pemToDer(fixture(`${name}.pem`)), key: defaultProvider.loadPrivateKey(fixture(`${name}.key`)) };
}

/** Accepts any chain but says so (tests that are not about verification). */
export const acceptAll: PeerVerifier = async () => ({ valid: true });

export interface Side {
  readonly conn: Connection;
  readonly data: Uint8Array[];
  readonly trace: TraceEvent[];
  readonly keylog: string[];
  readonly handshake: Promise<HandshakeSummary>;
  readonly closed: Promise<TLSError | undefined>;
  error: TLSError | undefined;
  ended: boolean;
  received(): Uint8Array;
}

export interface Pair {
  readonly client: Side;
  readonly server: Side;
  /** Rewrite or drop bytes in flight (return null to drop). */
  tamper?: (from: 'client' | 'server', bytes: Uint8Array) => Uint8Array | null;
}

function makeSide(kind: 'client' | 'server', cfg: ClientConfig | ServerConfig, deliver: (b: Uint8Array) => void): Side {
  let resolveHs!: (s: HandshakeSummary) => void;
  let rejectHs!: (e: unknown) => void;
  let resolveClosed!: (e: TLSError | undefined) => void;
  const handshake = new Promise<HandshakeSummary>((res, rej) => {
    resolveHs = res;
    rejectHs = rej;
  });
  handshake.catch(() => {});
  const closed = new Promise<TLSError | undefined>((res) => (resolveClosed = res));
  const side: Side = {
    conn: undefined as unknown as Connection,
    data: [],
    trace: [],
    keylog: [],
    handshake,
    closed,
    error: undefined,
    ended: false,
    received() {
      return new Uint8Array(Buffer.concat(side.data));
    },
  };
  const sink = {
    write: deliver,
    data: (b: Uint8Array) => side.data.push(b.slice()),
    handshake: (s: HandshakeSummary) => resolveHs(s),
    end: () => {
      side.ended = true;
      resolveClosed(undefined);
    },
    error: (e: TLSError) => {
      side.error = e;
      rejectHs(e);
      resolveClosed(e);
    },
    keylog: (l: string) => side.keylog.push(l),
    trace: (e: TraceEvent) => side.trace.push(e),
  };
  (side as { conn: Connection }).conn =
    kind === 'client' ? createClientConnection(cfg as ClientConfig, sink) : createServerConnection(cfg as ServerConfig, sink);
  return side;
}

export interface PairOptions {
  /** Installed before either side starts, so it sees the very first flight (the ClientHello). */
  tamper?: Pair['tamper'];
}

export function connectPair(client: Partial<ClientConfig>, server: Partial<ServerConfig>, options: PairOptions = {}): Pair {
  const pair = {} as Pair & { client: Side; server: Side };
  if (options.tamper) pair.tamper = options.tamper;
  const send = (from: 'client' | 'server') => (bytes: Uint8Array) => {
    const b = pair.tamper ? pair.tamper(from, bytes) : bytes;
    if (b === null) return;
    const to = from === 'client' ? pair.server : pair.client;
    // Deliver asynchronously, like a network would, so neither side re-enters the other.
    queueMicrotask(() => to.conn.receive(b));
  };
  pair.client = makeSide('client', clientConfig({ verifyPeer: acceptAll, serverName: 'localhost', ...client }), send('client'));
  pair.server = makeSide('server', serverConfig({ certificates: [certified('server-rsa'), certified('server-p256')], verifyPeer: acceptAll, ...server }), send('server'));
  pair.server.conn.start();
  pair.client.conn.start();
  return pair;
}

/** Wait until both handshakes finish (or one fails). */
export async function handshakeBoth(pair: Pair): Promise<[HandshakeSummary, HandshakeSummary]> {
  return Promise.all([pair.client.handshake, pair.server.handshake]);
}

/** Let queued microtasks and I/O settle. */
export function settle(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Wait for `cond` with a bound (the pair delivers bytes on microtasks). */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle(1);
  }
}

/** close_notify from the client, then from the server; both must end without an error. */
export async function closeBoth(pair: Pair): Promise<void> {
  pair.client.conn.close();
  await until(() => pair.server.conn.closeNotifyReceived, 'close_notify at the server');
  pair.server.conn.close();
  await until(() => pair.client.conn.closeNotifyReceived, 'close_notify at the client');
  if (pair.client.error) throw pair.client.error;
  if (pair.server.error) throw pair.server.error;
}
