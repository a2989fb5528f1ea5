/**
 * The engine alone: client and server in one process, bytes handed over in
 * memory, no sockets. This separates protocol cost from I/O.
 *
 * - ts-tls: the sans-IO Connection pair (no Node adapter, no streams).
 * - node:tls: two TLSSockets over an in-memory Duplex pair (node:tls cannot
 *   run without a stream; its JS stream wrapper is part of what it costs here).
 * - node-forge: its own TLS (1.1 at most, RSA key exchange, AES-CBC + HMAC-SHA1),
 *   against itself, as the pure-JavaScript baseline.
 */
import * as tls from 'node:tls';
import { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type Forge from 'node-forge';
import {
  clientConfig,
  createClientConnection,
  createServerConnection,
  defaultProvider,
  registry,
  serverConfig,
  type CertifiedKey,
  type ClientConfig,
  type Connection,
  type ConnectionSink,
  type ServerConfig,
} from '../src/index.js';
import { certificatesFrom } from '../src/node/options.js';
import { makeVerifier } from '../src/node/trust.js';
import { opensslSuite, pki, type Impl, type Measured, type TlsParams } from './common.js';

const cpuNowUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function timed(count: () => number, body: () => Promise<void>): Promise<Measured> {
  const t0 = performance.now();
  const c0 = cpuNowUs();
  await body();
  return { count: count(), wallMs: performance.now() - t0, cpuUs: cpuNowUs() - c0 };
}

/** ts-tls client verification, as the socket benchmark does it (see run.ts: probe). */
export const engineOptions = { rejectUnauthorized: false };

// ----------------------------------------------------------------------------- ts-tls engine

interface TsConfigs {
  client: ClientConfig;
  server: ServerConfig;
}

const tsConfigCache = new Map<string, TsConfigs>();

function tsConfigs(t: TlsParams): TsConfigs {
  const key = JSON.stringify(t) + engineOptions.rejectUnauthorized;
  let c = tsConfigCache.get(key);
  if (!c) {
    const p = pki();
    const suite = registry.cipherSuiteByName(t.suite);
    if (!suite) throw new Error(`unknown suite ${t.suite}`);
    const certified: CertifiedKey = { chain: certificatesFrom(p.cert[t.cert]), key: defaultProvider.loadPrivateKey(p.key[t.cert]) };
    const common = { minVersion: t.version, maxVersion: t.version, cipherSuites: [suite.id], groups: [registry.NamedGroup.x25519, registry.NamedGroup.secp256r1] };
    c = {
      client: clientConfig({ ...common, serverName: 'localhost', verifyPeer: makeVerifier({ ca: p.ca }), rejectUnauthorized: engineOptions.rejectUnauthorized }),
      server: serverConfig({ ...common, certificates: [certified] }),
    };
    tsConfigCache.set(key, c);
  }
  return c;
}

interface TsPair {
  client: Connection;
  server: Connection;
  /** Deliver synchronously from now on (after the handshake; bulk runs re-entrance free). */
  direct(): void;
  /** Bytes of application data the server received. */
  received(): number;
}

function tsPair(t: TlsParams): Promise<TsPair> {
  const cfg = tsConfigs(t);
  return new Promise((resolve, reject) => {
    let sync = false;
    let got = 0;
    let done = 0;
    // eslint-disable-next-line prefer-const
    let client: Connection;
    // eslint-disable-next-line prefer-const
    let server: Connection;
    const pair: TsPair = {
      get client() {
        return client;
      },
      get server() {
        return server;
      },
      direct() {
        sync = true;
      },
      received: () => got,
    };
    const fin = (): void => {
      if (++done === 2) resolve(pair);
    };
    const sinkFor = (peer: () => Connection, countData: boolean): ConnectionSink => ({
      write: (b) => {
        if (sync) peer().receive(b);
        else queueMicrotask(() => peer().receive(b));
      },
      handshake: fin,
      error: reject,
      ...(countData ? { data: (b: Uint8Array) => void (got += b.length) } : {}),
    });
    client = createClientConnection(cfg.client, sinkFor(() => server, false));
    server = createServerConnection(cfg.server, sinkFor(() => client, true));
    server.start();
    client.start();
  });
}

// ----------------------------------------------------------------------------- node:tls over memory

function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (i: number): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const peer = ends[1 - i]!;
        process.nextTick(() => peer.push(chunk));
        cb();
      },
      final(cb) {
        const peer = ends[1 - i]!;
        process.nextTick(() => peer.push(null));
        cb();
      },
    });
  ends.push(make(0), make(1));
  return [ends[0]!, ends[1]!];
}

const nodeContexts = new Map<string, tls.SecureContext>();

function nodeServerContext(t: TlsParams): tls.SecureContext {
  const key = JSON.stringify(t);
  let c = nodeContexts.get(key);
  if (!c) {
    const p = pki();
    c = tls.createSecureContext({ key: p.key[t.cert], cert: p.cert[t.cert], minVersion: t.version, maxVersion: t.version, ciphers: opensslSuite(t.suite), ecdhCurve: t.group });
    nodeContexts.set(key, c);
  }
  return c;
}

function nodePair(t: TlsParams): Promise<{ client: tls.TLSSocket; server: tls.TLSSocket }> {
  const [a, b] = duplexPair();
  const p = pki();
  return new Promise((resolve, reject) => {
    const server = new tls.TLSSocket(b, { isServer: true, secureContext: nodeServerContext(t) });
    const client = tls.connect({
      socket: a,
      servername: 'localhost',
      ca: p.ca,
      minVersion: t.version,
      maxVersion: t.version,
      ciphers: opensslSuite(t.suite),
      ecdhCurve: t.group,
    });
    let done = 0;
    const fin = (): void => {
      if (++done === 2) resolve({ client, server });
    };
    server.once('secure', fin);
    client.once('secureConnect', fin);
    server.once('error', reject);
    client.once('error', reject);
  });
}

// ----------------------------------------------------------------------------- node-forge

interface ForgePair {
  client: Forge.tls.Connection;
  server: Forge.tls.Connection;
  direct(): void;
  received(): number;
}

let forgeCa: Forge.pki.CAStore | undefined;
let forgeModule: typeof Forge | undefined;

/** node-forge loads only when its rounds run (it is big and most runs need it once). */
async function forgePair(): Promise<ForgePair> {
  const p = pki();
  const forge = (forgeModule ??= (await import('node-forge')).default);
  forgeCa ??= forge.pki.createCaStore([p.ca]);
  return new Promise((resolve, reject) => {
    let sync = false;
    let got = 0;
    let done = 0;
    const suites = [forge.tls.CipherSuites['TLS_RSA_WITH_AES_128_CBC_SHA']!];
    const fin = (): void => {
      if (++done === 2) resolve(pair);
    };
    const hand = (to: () => Forge.tls.Connection) => (c: Forge.tls.Connection) => {
      const bytes = c.tlsData.getBytes();
      if (sync) to().process(bytes);
      else queueMicrotask(() => to().process(bytes));
    };
    const server = forge.tls.createConnection({
      server: true,
      sessionCache: {},
      cipherSuites: suites,
      verifyClient: false,
      getCertificate: () => p.cert.rsa,
      getPrivateKey: () => p.key.rsa,
      connected: fin,
      tlsDataReady: hand(() => client),
      dataReady: (c) => void (got += c.data.getBytes().length),
      closed: () => {},
      error: (_c, e) => reject(new Error(`node-forge server: ${e.message}`)),
    });
    const client: Forge.tls.Connection = forge.tls.createConnection({
      server: false,
      caStore: forgeCa!,
      cipherSuites: suites,
      virtualHost: 'localhost',
      verify: (_c, verified) => verified,
      connected: fin,
      tlsDataReady: hand(() => server),
      dataReady: () => {},
      closed: () => {},
      error: (_c, e) => reject(new Error(`node-forge client: ${e.message}`)),
    });
    const pair: ForgePair = {
      client,
      server,
      direct: () => void (sync = true),
      received: () => got,
    };
    client.handshake();
  });
}

// ----------------------------------------------------------------------------- entry points

export async function engineHandshakes(impl: Impl | 'forge', t: TlsParams, durationMs: number): Promise<Measured> {
  let n = 0;
  const deadline = performance.now() + durationMs;
  return timed(
    () => n,
    async () => {
      do {
        if (impl === 'ts') {
          await tsPair(t);
        } else if (impl === 'node') {
          const { client, server } = await nodePair(t);
          client.destroy();
          server.destroy();
        } else {
          await forgePair();
        }
        n++;
      } while (performance.now() < deadline);
    },
  );
}

export async function engineBulk(impl: Impl | 'forge', t: TlsParams, writeSize: number, totalBytes: number): Promise<Measured> {
  const chunk = new Uint8Array(writeSize).fill(0x61);
  if (impl === 'ts') {
    const pair = await tsPair(t);
    await new Promise((r) => setImmediate(r)); // let post-handshake messages (1.3 tickets) land
    pair.direct();
    const base = pair.received();
    return timed(
      () => pair.received() - base,
      async () => {
        for (let sent = 0; sent < totalBytes; sent += writeSize) pair.client.send(chunk);
      },
    );
  }
  if (impl === 'forge') {
    const pair = await forgePair();
    pair.direct();
    const s = Buffer.from(chunk).toString('latin1');
    return timed(
      () => pair.received(),
      async () => {
        for (let sent = 0; sent < totalBytes; sent += writeSize) pair.client.prepare(s);
      },
    );
  }
  const { client, server } = await nodePair(t);
  const buf = Buffer.from(chunk);
  let got = 0;
  try {
    return await timed(
      () => got,
      () =>
        new Promise<void>((resolve, reject) => {
          server.on('data', (d: Buffer) => {
            got += d.length;
            if (got >= totalBytes) resolve();
          });
          server.once('error', reject);
          client.once('error', reject);
          let sent = 0;
          const pump = (): void => {
            while (sent < totalBytes) {
              sent += writeSize;
              if (!client.write(buf)) {
                client.once('drain', pump);
                return;
              }
            }
          };
          pump();
        }),
    );
  } finally {
    client.destroy();
    server.destroy();
  }
}
