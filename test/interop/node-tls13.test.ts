/**
 * TLS 1.3 (and 1.2 resumption) interop with Node's own node:tls, both ways:
 * our client (Node adapter) against tls.createServer, and tls.connect
 * against our server engine on a TCP port. Every suite, session resumption
 * with tickets (and TLS 1.2 session IDs), exporters compared byte for byte
 * with Node's exportKeyingMaterial, data both ways byte-exact.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import type { ServerConfig } from '../../src/config.js';
import type { HandshakeSummary } from '../../src/connection.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { serverConfig } from '../../src/engine.js';
import { AntiReplay, MemorySessionCache, TicketKeys } from '../../src/handshake/tickets.js';
import { connect } from '../../src/node/connect.js';
import type { ConnectOptions } from '../../src/node/options.js';
import type { TLSSocket } from '../../src/node/tlssocket.js';
import { cipherSuiteByName } from '../../src/registry.js';
import { engineServer, type EngineServer } from '../helpers/engine-server.js';
import { closed, readExactly, within } from '../helpers/interop.js';
import { payload, pki } from '../helpers/openssl.js';
import { certified } from '../helpers/pair.js';

const CASE = { timeout: 20_000 };
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const read = (name: string): string => readFileSync(pki(name), 'utf8');
const ca = read('ca.pem');
const open: { close(): void }[] = [];
after(() => {
  for (const o of open) o.close();
});

// ---------------------------------------------------------------- our client, node:tls server

interface NodeServer {
  readonly port: number;
  readonly server: tls.Server;
  /** Sockets the server accepted, in order. */
  readonly sockets: tls.TLSSocket[];
}

async function nodeServer(o: tls.TlsOptions = {}): Promise<NodeServer> {
  const sockets: tls.TLSSocket[] = [];
  const server = tls.createServer({ key: read('server-rsa.key'), cert: read('server-rsa.pem'), minVersion: 'TLSv1.2', ...o }, (s) => {
    sockets.push(s);
    // Echo: whatever the client sends comes back.
    s.on('data', (d: Buffer) => s.write(d));
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await within(once(server, 'listening'), 5000, 'node server to listen');
  open.push(server);
  return { port: (server.address() as AddressInfo).port, server, sockets };
}

/** The `i`th socket the Node server accepted, once its handshake is done. */
async function accepted(node: NodeServer, i: number): Promise<tls.TLSSocket> {
  for (let t = 0; t < 500 && node.sockets.length <= i; t++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(node.sockets[i], 'node accepted the connection');
  return node.sockets[i]!;
}

async function ourClient(port: number, o: Partial<ConnectOptions> = {}): Promise<TLSSocket> {
  const sock = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...o });
  await within(once(sock, 'secureConnect'), 10_000, 'our client handshake');
  return sock;
}

/** Send `n` bytes; the Node server echoes them back byte-exact. */
async function echo(sock: TLSSocket, n: number, seed: number): Promise<void> {
  const data = payload(n, seed);
  const back = readExactly(sock, n);
  sock.write(data);
  assert.ok((await within(back, 10_000, 'echo from node')).equals(data), 'echo is byte-exact');
}

function sessionOf(sock: TLSSocket): Promise<Buffer> {
  const known = sock.getSession();
  if (known && sock.getProtocol() === 'TLSv1.2') return Promise.resolve(known);
  return within(new Promise<Buffer>((resolve) => sock.once('session', resolve)), 10_000, 'a session');
}

describe('our client against node:tls (TLS 1.3)', () => {
  for (const suite of SUITES) {
    it(`moves data both ways with ${suite}`, CASE, async () => {
      const node = await nodeServer({ ciphers: suite });
      const sock = await ourClient(node.port, { cipherSuites: [suite] });
      try {
        assert.equal(sock.getProtocol(), 'TLSv1.3');
        assert.equal(sock.getHandshakeSummary()!.cipherSuite.name, suite);
        assert.equal((await accepted(node, 0)).getCipher().standardName, suite);
        await echo(sock, 200_000, 1);
        sock.end();
        await within(closed(sock), 5000, 'close');
      } finally {
        sock.destroy();
      }
    });
  }

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`resumes a ${version} session from a node:tls ticket`, CASE, async () => {
      const node = await nodeServer({ maxVersion: version });
      const a = await ourClient(node.port, { maxVersion: version });
      const session = sessionOf(a);
      await echo(a, 1000, 2);
      const stored = await session;
      a.end();
      await within(closed(a), 5000, 'close');
      const b = await ourClient(node.port, { maxVersion: version, session: stored });
      try {
        assert.equal(b.getProtocol(), version);
        assert.equal(b.isSessionReused(), true);
        assert.equal((await accepted(node, 1)).isSessionReused(), true, 'node agrees');
        await echo(b, 1000, 3);
        b.end();
      } finally {
        b.destroy();
      }
    });
  }

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`exports the same keying material as node:tls in ${version}`, CASE, async () => {
      const node = await nodeServer({ maxVersion: version });
      const sock = await ourClient(node.port, { maxVersion: version });
      try {
        await echo(sock, 10, 4);
        const ours = sock.exportKeyingMaterial(48, 'EXPERIMENTAL-interop', Buffer.from('context'));
        const theirs = (await accepted(node, 0)).exportKeyingMaterial(48, 'EXPERIMENTAL-interop', Buffer.from('context'));
        assert.ok(ours.equals(theirs));
        sock.end();
      } finally {
        sock.destroy();
      }
    });
  }
});

// ---------------------------------------------------------------- node:tls client, our server

function ourServerConfig(o: Partial<ServerConfig> = {}): ServerConfig {
  return serverConfig({
    certificates: [certified('server-rsa'), certified('server-p256')],
    ticketKeys: new TicketKeys(defaultProvider),
    sessionCache: new MemorySessionCache(),
    antiReplay: new AntiReplay(defaultProvider),
    ...o,
  });
}

async function started(cfg: ServerConfig): Promise<EngineServer> {
  const srv = await engineServer(cfg);
  open.push(srv);
  return srv;
}

interface NodeRun {
  readonly socket: tls.TLSSocket;
  /** Node's view, taken before the connection closed. */
  readonly protocol: string | null;
  readonly reused: boolean;
  readonly session: Buffer | undefined;
  readonly summary: HandshakeSummary;
}

/** node:tls connects to our server; data both ways; we close. Collects Node's session. */
async function nodeClient(srv: EngineServer, o: tls.ConnectionOptions = {}, n = 50_000): Promise<NodeRun> {
  const socket = tls.connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca, ...o });
  socket.on('error', () => {});
  let session: Buffer | undefined;
  socket.on('session', (s: Buffer) => (session = s));
  const secure = once(socket, 'secureConnect');
  const conn = await within(srv.next(), 5000, 'node to connect');
  const summary = await within(conn.handshake, 10_000, 'handshake with node');
  await within(secure, 10_000, 'node secureConnect');
  const toServer = payload(n, 31);
  const toClient = payload(n, 32);
  const back = readExactly(socket, n);
  socket.write(toServer);
  conn.conn.send(toClient);
  assert.ok((await within(back, 10_000, 'data at node')).equals(toClient), 'node received our data byte-exact');
  assert.ok((await conn.receivedAtLeast(n)).equals(toServer), 'we received node data byte-exact');
  for (let i = 0; i < 100 && session === undefined; i++) await new Promise((r) => setTimeout(r, 10));
  const protocol = socket.getProtocol();
  const reused = socket.isSessionReused();
  conn.end();
  await within(once(socket, 'close'), 5000, 'node socket to close');
  return { socket, session, summary, protocol, reused };
}

describe('node:tls client against our server', () => {
  for (const suite of SUITES) {
    it(`moves data both ways with ${suite}`, CASE, async () => {
      const srv = await started(ourServerConfig());
      const run = await nodeClient(srv, { ciphers: suite });
      assert.equal(run.summary.version, 'TLSv1.3');
      assert.equal(run.summary.cipherSuite.id, cipherSuiteByName(suite)!.id);
      assert.equal(run.protocol, 'TLSv1.3');
    });
  }

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`lets node:tls resume a ${version} session with our ticket`, CASE, async () => {
      const srv = await started(ourServerConfig());
      const first = await nodeClient(srv, { maxVersion: version });
      assert.ok(first.session, 'node got a session');
      const second = await nodeClient(srv, { maxVersion: version, session: first.session });
      assert.equal(second.summary.resumed, true);
      assert.equal(second.reused, true, 'node agrees');
      assert.equal(second.protocol, version);
    });
  }

  it('lets node:tls resume a TLS 1.2 session by session ID (no tickets)', CASE, async () => {
    const srv = await started(ourServerConfig({ ticketKeys: undefined }));
    const first = await nodeClient(srv, { maxVersion: 'TLSv1.2' });
    const second = await nodeClient(srv, { maxVersion: 'TLSv1.2', session: first.session! });
    assert.equal(second.summary.resumed, true);
    assert.equal(second.reused, true);
  });

  it('lets a second server with the same 48-byte ticket keys resume node\'s session', CASE, async () => {
    const keys = defaultProvider.randomBytes(TicketKeys.KEY_LENGTH);
    const a = await started(ourServerConfig({ ticketKeys: new TicketKeys(defaultProvider, { keys }) }));
    const b = await started(ourServerConfig({ ticketKeys: new TicketKeys(defaultProvider, { keys }) }));
    const first = await nodeClient(a, {});
    const second = await nodeClient(b, { session: first.session! });
    assert.equal(second.summary.resumed, true);
    assert.equal(second.reused, true);
  });

  it('exports the same keying material as node:tls', CASE, async () => {
    const srv = await started(ourServerConfig());
    const socket = tls.connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca });
    socket.on('error', () => {});
    const secure = once(socket, 'secureConnect');
    const conn = await within(srv.next(), 5000, 'node to connect');
    await within(conn.handshake, 10_000, 'handshake');
    await within(secure, 10_000, 'secureConnect');
    const ours = Buffer.from(conn.conn.exportKeyingMaterial(32, 'EXPERIMENTAL-node', Buffer.from('c')));
    assert.ok(ours.equals(socket.exportKeyingMaterial(32, 'EXPERIMENTAL-node', Buffer.from('c'))));
    conn.end();
    socket.destroy();
  });
});
