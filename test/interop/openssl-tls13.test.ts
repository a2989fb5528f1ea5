/**
 * TLS 1.3 interop with the openssl CLI (3.0): our client (through the Node
 * adapter) against `openssl s_server -tls1_3`, and `openssl s_client -tls1_3`
 * against our server engine on a TCP port (test/helpers/engine-server.ts,
 * so every ServerConfig field — early data, tickets — is ours to set).
 *
 * Each suite × each group OpenSSL 3.0 has (X25519, P-256, P-384), a
 * HelloRetryRequest forced by -groups, resumption (our tickets in
 * -sess_out/-sess_in files, and OpenSSL's tickets in our sessions) for 1.2
 * and 1.3, 0-RTT with -early_data, client certificates and KeyUpdate. Data
 * moves both ways and is compared byte for byte.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerConfig } from '../../src/config.js';
import type { HandshakeSummary } from '../../src/connection.js';
import { serverConfig } from '../../src/engine.js';
import { AntiReplay, MemorySessionCache, TicketKeys } from '../../src/handshake/tickets.js';
import { defaultProvider } from '../../src/crypto/node.js';
import type { ConnectOptions } from '../../src/node/options.js';
import type { TLSSocket } from '../../src/node/tlssocket.js';
import { NamedGroup, SignatureScheme, cipherSuiteByName } from '../../src/registry.js';
import { engineServer, type EngineServer } from '../helpers/engine-server.js';
import { caPem, closed, connectWhenListening, readExactly, within } from '../helpers/interop.js';
import { freePort, killAll, openssl, payload, pki, type OpensslProcess } from '../helpers/openssl.js';
import { certified } from '../helpers/pair.js';
import { caVerifier } from '../helpers/verify.js';

const CASE = { timeout: 30_000 };
const SIZE = 256 * 1024;
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
/** OpenSSL's group name, ours. */
const GROUPS: [string, number][] = [
  ['X25519', NamedGroup.x25519],
  ['P-256', NamedGroup.secp256r1],
  ['P-384', NamedGroup.secp384r1],
];
const tmp = mkdtempSync(join(tmpdir(), 'ts-tls-13-'));
after(() => {
  killAll();
  rmSync(tmp, { recursive: true, force: true });
});

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function assertQuiet(p: OpensslProcess, who: string): void {
  assert.doesNotMatch(p.stderr(), /error|alert/i, `${who} stderr: ${p.stderr().slice(-800)}`);
}

// ---------------------------------------------------------------- our client, openssl s_server

function sServer(port: number, extra: string[], stdin: Buffer, version = '-tls1_3'): OpensslProcess {
  return openssl(
    ['s_server', '-accept', String(port), version, '-cert', pki('server-rsa.pem'), '-key', pki('server-rsa.key'), '-dcert', pki('server-p256.pem'), '-dkey', pki('server-p256.key'), '-quiet', ...extra],
    { stdin },
  );
}

const clientOptions = (port: number, o: Partial<ConnectOptions> = {}): ConnectOptions => ({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), ...o });

/** Exchange `n` bytes each way with s_server (it echoes nothing: it prints what we send and sends its stdin). */
async function exchangeWithServer(sock: TLSSocket, srv: OpensslProcess, fromServer: Buffer, n: number, before = 0): Promise<void> {
  const toServer = payload(n, 11);
  const received = readExactly(sock, fromServer.length);
  sock.write(toServer);
  assert.ok((await within(received, 20_000, 'data from s_server')).equals(fromServer), 'client received s_server data byte-exact');
  await until(() => srv.stdout().length >= before + n, 20_000, 's_server stdout');
  assert.ok(srv.stdout().subarray(before, before + n).equals(toServer), 's_server received our data byte-exact');
}

/** Our socket's session (Node's 'session' event; TLS 1.2 sessions arrive before secureConnect, 1.3 tickets after). */
function firstSession(sock: TLSSocket): Promise<Buffer> {
  const known = sock.getSession();
  if (known) return Promise.resolve(known);
  return within(new Promise<Buffer>((resolve) => sock.once('session', resolve)), 10_000, 'a session ticket');
}

describe('our TLS 1.3 client against openssl s_server -tls1_3', { concurrency: 2 }, () => {
  for (const suite of SUITES) {
    for (const [osslGroup, group] of GROUPS) {
      it(`moves data both ways with ${suite} over ${osslGroup}`, CASE, async () => {
        const port = await freePort();
        const fromServer = payload(SIZE, 3);
        const srv = sServer(port, ['-ciphersuites', suite, '-groups', osslGroup, '-naccept', '1'], fromServer);
        const sock = await connectWhenListening(clientOptions(port, { cipherSuites: [suite], groups: [osslGroup] })).catch((e: unknown) => {
          srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
          throw e;
        });
        try {
          const s = sock.getHandshakeSummary()!;
          assert.equal(sock.getProtocol(), 'TLSv1.3');
          assert.equal(s.cipherSuite.name, suite);
          assert.equal(s.group, group);
          assert.equal(s.roundTrips, 1);
          assert.equal(sock.authorized, true);
          await exchangeWithServer(sock, srv, fromServer, SIZE);
          sock.end();
          await within(closed(sock), 10_000, 'our socket to close');
          assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
          assertQuiet(srv, 's_server');
        } finally {
          sock.destroy();
          srv.child.kill('SIGKILL');
        }
      });
    }
  }

  it('retries with the group s_server asks for in a HelloRetryRequest (-groups P-384)', CASE, async () => {
    const port = await freePort();
    const fromServer = payload(1000, 4);
    const srv = sServer(port, ['-groups', 'P-384', '-naccept', '1'], fromServer);
    const sock = await connectWhenListening(clientOptions(port, { groups: ['X25519', 'P-256', 'P-384'] })).catch((e: unknown) => {
      srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
      throw e;
    });
    try {
      const s = sock.getHandshakeSummary()!;
      assert.equal(s.group, NamedGroup.secp384r1);
      assert.equal(s.roundTrips, 2, 'one extra round trip for the HelloRetryRequest');
      await exchangeWithServer(sock, srv, fromServer, 1000);
      sock.end();
      assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
      assertQuiet(srv, 's_server');
    } finally {
      sock.destroy();
      srv.child.kill('SIGKILL');
    }
  });

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`resumes a ${version} session from an OpenSSL ticket`, CASE, async () => {
      const port = await freePort();
      const first = payload(500, 5);
      const srv = sServer(port, ['-naccept', '2'], first, version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2');
      const a = await connectWhenListening(clientOptions(port, { maxVersion: version })).catch((e: unknown) => {
        srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
        throw e;
      });
      try {
        const session = firstSession(a);
        await exchangeWithServer(a, srv, first, 500);
        const stored = await session;
        assert.equal(a.isSessionReused(), false);
        a.end();
        await within(closed(a), 10_000, 'first connection to close');
        const b = await connectWhenListening(clientOptions(port, { maxVersion: version, session: stored }));
        try {
          assert.equal(b.getProtocol(), version);
          assert.equal(b.isSessionReused(), true);
          const second = payload(700, 6);
          srv.child.stdin!.write(second);
          await exchangeWithServer(b, srv, second, 600, 500);
          b.end();
          assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
          assertQuiet(srv, 's_server');
        } finally {
          b.destroy();
        }
      } finally {
        a.destroy();
        srv.child.kill('SIGKILL');
      }
    });
  }

  it('sends 0-RTT data that s_server -early_data accepts', CASE, async () => {
    const port = await freePort();
    const srv = sServer(port, ['-early_data', '-naccept', '2'], payload(100, 7));
    const a = await connectWhenListening(clientOptions(port)).catch((e: unknown) => {
      srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
      throw e;
    });
    try {
      const session = firstSession(a);
      await exchangeWithServer(a, srv, payload(100, 7), 100);
      const stored = await session;
      a.end();
      await within(closed(a), 10_000, 'first connection to close');
      const early = Buffer.from('GET /zero-rtt HTTP/1.1\r\n\r\n');
      const b = await connectWhenListening(clientOptions(port, { session: stored, earlyData: early }));
      try {
        const s = b.getHandshakeSummary()!;
        assert.equal(s.resumed, true);
        assert.equal(s.earlyDataAccepted, true);
        await until(() => srv.stdout().length >= 100 + early.length, 10_000, 'early data at s_server');
        assert.ok(srv.stdout().subarray(100, 100 + early.length).equals(early), 's_server got the early data byte-exact');
        const second = payload(300, 8);
        srv.child.stdin!.write(second);
        await exchangeWithServer(b, srv, second, 300, 100 + early.length);
        b.end();
        assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
      } finally {
        b.destroy();
      }
    } finally {
      a.destroy();
      srv.child.kill('SIGKILL');
    }
  });

  it('resends early data that s_server (without -early_data) rejects', CASE, async () => {
    const port = await freePort();
    const srv = sServer(port, ['-naccept', '2'], payload(100, 9));
    const a = await connectWhenListening(clientOptions(port)).catch((e: unknown) => {
      srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
      throw e;
    });
    try {
      const session = firstSession(a);
      await exchangeWithServer(a, srv, payload(100, 9), 100);
      const stored = await session;
      a.end();
      await within(closed(a), 10_000, 'first connection to close');
      const early = Buffer.from('early but rejected');
      const b = await connectWhenListening(clientOptions(port, { session: stored, earlyData: early }));
      try {
        assert.equal(b.getHandshakeSummary()!.earlyDataAccepted, false);
        await until(() => srv.stdout().length >= 100 + early.length, 10_000, 'resent data at s_server');
        assert.ok(srv.stdout().subarray(100).equals(early));
        b.end();
        assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
      } finally {
        b.destroy();
      }
    } finally {
      a.destroy();
      srv.child.kill('SIGKILL');
    }
  });

  it('presents a client certificate to s_server -Verify', CASE, async () => {
    const port = await freePort();
    const fromServer = payload(2000, 10);
    const srv = sServer(port, ['-Verify', '1', '-CAfile', pki('ca.pem'), '-naccept', '1'], fromServer);
    const sock = await connectWhenListening(
      clientOptions(port, { cert: readPem('client-p256.pem'), key: readPem('client-p256.key') }),
    ).catch((e: unknown) => {
      srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
      throw e;
    });
    try {
      await exchangeWithServer(sock, srv, fromServer, 2000);
      assert.equal(sock.getHandshakeSummary()!.localCertificates.length, 1);
      sock.end();
      assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
      assertQuiet(srv, 's_server');
    } finally {
      sock.destroy();
      srv.child.kill('SIGKILL');
    }
  });

  it('updates keys both ways with s_server (KeyUpdate with update_requested)', CASE, async () => {
    const port = await freePort();
    const srv = sServer(port, ['-naccept', '1'], payload(100, 12));
    const sock = await connectWhenListening(clientOptions(port)).catch((e: unknown) => {
      srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
      throw e;
    });
    try {
      await exchangeWithServer(sock, srv, payload(100, 12), 100);
      sock.connection.keyUpdate(true);
      const more = payload(5000, 13);
      srv.child.stdin!.write(more);
      await exchangeWithServer(sock, srv, more, 5000, 100);
      sock.connection.keyUpdate(false);
      const last = payload(50, 14);
      srv.child.stdin!.write(last);
      await exchangeWithServer(sock, srv, last, 50, 5100);
      sock.end();
      assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
      assertQuiet(srv, 's_server');
    } finally {
      sock.destroy();
      srv.child.kill('SIGKILL');
    }
  });
});

// ---------------------------------------------------------------- openssl s_client, our server

const readPem = (name: string): string => readFileSync(pki(name), 'utf8');

function ourServerConfig(o: Partial<ServerConfig> = {}): ServerConfig {
  return serverConfig({
    certificates: [certified('server-rsa'), certified('server-p256')],
    verifyPeer: caVerifier(),
    ticketKeys: new TicketKeys(defaultProvider),
    sessionCache: new MemorySessionCache(),
    antiReplay: new AntiReplay(defaultProvider),
    ...o,
  });
}

function sClient(port: number, extra: string[], stdin: Buffer, version = '-tls1_3'): OpensslProcess {
  return openssl(['s_client', '-connect', `127.0.0.1:${port}`, version, '-CAfile', pki('ca.pem'), '-servername', 'localhost', '-quiet', ...extra], { stdin });
}

/** Run one s_client connection against `srv`: data both ways, then we close. Returns our summary. */
async function oneClient(srv: EngineServer, extra: string[], version = '-tls1_3', n = SIZE): Promise<{ summary: HandshakeSummary; cli: OpensslProcess; early: Buffer }> {
  const toServer = payload(n, 21);
  const toClient = payload(n, 22);
  const cli = sClient(srv.port, extra, toServer, version);
  try {
    const conn = await within(srv.next(), 10_000, 's_client to connect');
    const summary = await within(conn.handshake, 10_000, 'handshake with s_client');
    conn.conn.send(toClient);
    const got = await conn.receivedAtLeast(n);
    assert.ok(got.equals(toServer), 'our server received s_client data byte-exact');
    await until(() => cli.stdout().length >= n, 20_000, 's_client stdout');
    assert.ok(cli.stdout().equals(toClient), 's_client received our data byte-exact');
    conn.end();
    assert.equal(await within(cli.exited, 10_000, 's_client to exit'), 0);
    assertQuiet(cli, 's_client');
    return { summary, cli, early: Buffer.concat(conn.early) };
  } finally {
    cli.child.kill('SIGKILL');
  }
}

describe('openssl s_client -tls1_3 against our server', { concurrency: 2 }, () => {
  for (const suite of SUITES) {
    for (const [osslGroup, group] of GROUPS) {
      it(`moves data both ways with ${suite} over ${osslGroup}`, CASE, async () => {
        const srv = await engineServer(ourServerConfig());
        try {
          const { summary } = await oneClient(srv, ['-ciphersuites', suite, '-groups', osslGroup]);
          assert.equal(summary.version, 'TLSv1.3');
          assert.equal(summary.cipherSuite.id, cipherSuiteByName(suite)!.id);
          assert.equal(summary.group, group);
          assert.equal(summary.serverName, 'localhost');
        } finally {
          srv.close();
        }
      });
    }
  }

  it('sends a HelloRetryRequest that s_client answers (-groups X25519:P-384, our server only P-384)', CASE, async () => {
    const srv = await engineServer(ourServerConfig({ groups: [NamedGroup.secp384r1] }));
    try {
      const { summary } = await oneClient(srv, ['-groups', 'X25519:P-384'], '-tls1_3', 1000);
      assert.equal(summary.group, NamedGroup.secp384r1);
      assert.equal(summary.roundTrips, 2);
    } finally {
      srv.close();
    }
  });

  for (const [version, flag] of [['TLSv1.3', '-tls1_3'], ['TLSv1.2', '-tls1_2']] as const) {
    it(`resumes ${version} with -sess_out/-sess_in`, CASE, async () => {
      const srv = await engineServer(ourServerConfig());
      const file = join(tmp, `sess-${version}.pem`);
      try {
        const first = await oneClient(srv, ['-sess_out', file], flag, 1000);
        assert.equal(first.summary.resumed, false);
        const second = await oneClient(srv, ['-sess_in', file], flag, 1000);
        assert.equal(second.summary.version, version);
        assert.equal(second.summary.resumed, true);
      } finally {
        srv.close();
      }
    });
  }

  it('resumes TLS 1.2 by session ID when no tickets are issued (-no_ticket)', CASE, async () => {
    const srv = await engineServer(ourServerConfig({ ticketKeys: undefined }));
    const file = join(tmp, 'sess-id.pem');
    try {
      await oneClient(srv, ['-sess_out', file, '-no_ticket'], '-tls1_2', 100);
      const second = await oneClient(srv, ['-sess_in', file, '-no_ticket'], '-tls1_2', 100);
      assert.equal(second.summary.resumed, true);
    } finally {
      srv.close();
    }
  });

  it('accepts 0-RTT data from s_client -early_data', CASE, async () => {
    const srv = await engineServer(ourServerConfig({ maxEarlyData: 16384 }));
    const file = join(tmp, 'sess-early.pem');
    const earlyFile = join(tmp, 'early.txt');
    const early = Buffer.from('early bytes from openssl\n');
    writeFileSync(earlyFile, early);
    try {
      await oneClient(srv, ['-sess_out', file], '-tls1_3', 100);
      const second = await oneClient(srv, ['-sess_in', file, '-early_data', earlyFile], '-tls1_3', 100);
      assert.equal(second.summary.resumed, true);
      assert.equal(second.summary.earlyDataAccepted, true);
      assert.ok(second.early.equals(early), 'the early data arrived byte-exact');
    } finally {
      srv.close();
    }
  });

  it('authenticates s_client\'s certificate', CASE, async () => {
    const srv = await engineServer(ourServerConfig({ requestClientCertificate: true, requireClientCertificate: true }));
    try {
      const { summary } = await oneClient(srv, ['-cert', pki('client-rsa.pem'), '-key', pki('client-rsa.key')], '-tls1_3', 1000);
      assert.ok(summary.peerCertificates.length >= 1, 's_client sends its certificate (and the chain it built from -CAfile)');
      assert.equal(summary.authorized, true);
      assert.equal(summary.peerSignatureScheme, SignatureScheme.rsa_pss_rsae_sha256);
    } finally {
      srv.close();
    }
  });

  it('refuses s_client without a certificate with certificate_required', CASE, async () => {
    const srv = await engineServer(ourServerConfig({ requestClientCertificate: true, requireClientCertificate: true }));
    const cli = sClient(srv.port, [], Buffer.from('x'));
    try {
      const conn = await within(srv.next(), 10_000, 's_client to connect');
      const err = await within(conn.closed, 10_000, 'the handshake to fail');
      assert.equal(err?.alert?.name, 'certificate_required');
      await within(cli.exited, 10_000, 's_client to exit');
      assert.match(cli.stderr(), /certificate required/i);
    } finally {
      cli.child.kill('SIGKILL');
      srv.close();
    }
  });
});
