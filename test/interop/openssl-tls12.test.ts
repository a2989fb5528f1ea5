/**
 * TLS 1.2 interop with the openssl CLI (3.0): our client against
 * `openssl s_server -tls1_2`, our server against `openssl s_client -tls1_2`,
 * for every TLS 1.2 suite we implement; 1 MiB each way, byte-exact, closed
 * with close_notify on both sides; mutual authentication both ways and a
 * missing client certificate refused with handshake_failure.
 *
 * With -quiet, s_server and s_client write the application data they receive
 * raw to stdout and send what arrives on stdin. s_server -quiet prints no
 * ACCEPT line, so our client retries ECONNREFUSED until it listens
 * (-naccept 1 makes it exit after the one connection).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from '../../src/node/server.js';
import type { TLSSocket } from '../../src/node/tlssocket.js';
import type { TLSError } from '../../src/errors.js';
import { NamedGroup, SignatureScheme, cipherSuiteInfo, type CipherSuiteInfo } from '../../src/registry.js';
import { freePort, killAll, openssl, payload, pki, type OpensslProcess } from '../helpers/openssl.js';
import { caPem, closed, connectWhenListening, readExactly, within } from '../helpers/interop.js';
import { pemToDer } from '../helpers/pair.js';

const SUITES: CipherSuiteInfo[] = [0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9, 0x009e, 0x009f, 0xccaa, 0x009c, 0x009d].map((id) => cipherSuiteInfo(id)!);
const MIB = 1 << 20;
const CASE = { timeout: 30_000 };
const read = (name: string): string => readFileSync(pki(name), 'utf8');

/** -dhparam files for s_server: the RFC 7919 groups, so that DHE negotiates a named group. */
const dhparams = new Map<number, string>();
const dhDir = mkdtempSync(join(tmpdir(), 'ts-tls-dh-'));
/** Which RFC 7919 group s_server is given for each DHE suite (all three groups get exercised). */
const DHE_GROUP: Record<number, number> = { 0x009e: NamedGroup.ffdhe2048, 0x009f: NamedGroup.ffdhe3072, 0xccaa: NamedGroup.ffdhe4096 };
before(async () => {
  for (const [g, name] of [[NamedGroup.ffdhe2048, 'ffdhe2048'], [NamedGroup.ffdhe3072, 'ffdhe3072'], [NamedGroup.ffdhe4096, 'ffdhe4096']] as const) {
    const file = join(dhDir, `${name}.pem`);
    execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${name}`, '-out', file], { timeout: 10_000 });
    dhparams.set(g, file);
  }
});
after(() => {
  killAll();
  rmSync(dhDir, { recursive: true, force: true });
});

/** openssl said nothing about an error or an alert. */
function assertQuiet(p: OpensslProcess, who: string): void {
  assert.doesNotMatch(p.stderr(), /error|alert/i, `${who} stderr: ${p.stderr().slice(-800)}`);
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function expectedScheme(s: CipherSuiteInfo): number | undefined {
  if (s.kx === 'RSA') return undefined;
  // Our default signature_algorithms list ECDSA P-256 first, then rsa_pss_rsae_sha256; OpenSSL takes the first that fits its key.
  return s.auth === 'ECDSA' ? SignatureScheme.ecdsa_secp256r1_sha256 : SignatureScheme.rsa_pss_rsae_sha256;
}

function expectedGroup(s: CipherSuiteInfo): number | undefined {
  // ECDHE: x25519 is both sides' first choice. DHE: the RFC 7919 group s_server was given with -dhparam.
  return s.kx === 'ECDHE' ? NamedGroup.x25519 : s.kx === 'DHE' ? DHE_GROUP[s.id] : undefined;
}

function sServer(port: number, extra: string[], stdin: Buffer): OpensslProcess {
  return openssl(
    [
      's_server', '-accept', String(port), '-tls1_2',
      '-cert', pki('server-rsa.pem'), '-key', pki('server-rsa.key'),
      '-dcert', pki('server-p256.pem'), '-dkey', pki('server-p256.key'),
      '-quiet', '-naccept', '1', ...extra,
    ],
    { stdin },
  );
}

describe('our TLS 1.2 client against openssl s_server', { concurrency: 2 }, () => {
  for (const s of SUITES) {
    it(`moves 1 MiB both ways with ${s.openssl} and closes with close_notify`, CASE, async () => {
      const port = await freePort();
      const toClient = payload(MIB, 3);
      const toServer = payload(MIB, 5);
      const dh = s.kx === 'DHE' ? ['-dhparam', dhparams.get(DHE_GROUP[s.id]!)!] : [];
      const srv = sServer(port, ['-cipher', s.openssl, ...dh], toClient);
      const sock = await connectWhenListening({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        maxVersion: 'TLSv1.2',
        cipherSuites: [s.name],
        ca: caPem(),
      }).catch((e: unknown) => {
        srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
        throw e;
      });
      try {
        const summary = sock.getHandshakeSummary()!;
        assert.equal(summary.version, 'TLSv1.2');
        assert.equal(summary.cipherSuite.id, s.id);
        assert.equal(summary.group, expectedGroup(s));
        assert.equal(summary.peerSignatureScheme, expectedScheme(s));
        assert.equal(sock.authorized, true, 'the X.509 verifier accepted the peer against test/fixtures/pki/ca.pem');
        const received = readExactly(sock, MIB);
        sock.write(toServer);
        assert.ok((await within(received, 20_000, 'data from s_server')).equals(toClient), 'client received s_server data byte-exact');
        await within(until(() => srv.stdout().length >= MIB, 20_000, 's_server stdout'), 21_000, 's_server stdout');
        assert.ok(srv.stdout().equals(toServer), 's_server received our data byte-exact');
        sock.end();
        await within(closed(sock), 10_000, 'our socket to close');
        assert.equal(sock.connection.closeNotifySent, true);
        assert.equal(sock.connection.closeNotifyReceived, true, 'openssl answered with close_notify');
        assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
        assertQuiet(srv, 's_server');
      } finally {
        sock.destroy();
        srv.child.kill('SIGKILL');
      }
    });
  }

  it('accepts OpenSSL 3.0 automatic DH (RFC 3526 2048-bit MODP, not a named group) with DHE-RSA-AES128-GCM-SHA256', CASE, async () => {
    // Without -dhparam, OpenSSL 3.0 picks the RFC 3526 group 14 prime for a 2048-bit RSA key: valid, but no RFC 7919 name.
    const port = await freePort();
    const srv = sServer(port, ['-cipher', 'DHE-RSA-AES128-GCM-SHA256'], Buffer.from('auto dh'));
    const sock = await connectWhenListening({ host: '127.0.0.1', port, servername: 'localhost', maxVersion: 'TLSv1.2', cipherSuites: ['DHE-RSA-AES128-GCM-SHA256'], ca: caPem() }).catch((e: unknown) => {
      srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
      throw e;
    });
    try {
      const summary = sock.getHandshakeSummary()!;
      assert.equal(summary.cipherSuite.id, 0x009e);
      assert.equal(summary.group, undefined);
      assert.equal((await within(readExactly(sock, 7), 5000, 'data')).toString(), 'auto dh');
      sock.end();
      await within(closed(sock), 10_000, 'our socket to close');
      assert.equal(sock.connection.closeNotifyReceived, true);
      assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
      assertQuiet(srv, 's_server');
    } finally {
      sock.destroy();
      srv.child.kill('SIGKILL');
    }
  });
});

/** Our server on a free port; resolves with it and its port. */
async function ourServer(options: Parameters<typeof createServer>[0]): Promise<{ server: Server; port: number }> {
  const server = createServer({
    cert: [read('server-rsa.pem'), read('server-p256.pem')],
    key: [read('server-rsa.key'), read('server-p256.key')],
    maxVersion: 'TLSv1.2',
    cipherSuites: SUITES.map((s) => s.name),
    ca: caPem(),
    ...options,
  });
  server.listen(0, '127.0.0.1');
  await within(once(server, 'listening'), 5000, 'our server to listen');
  return { server, port: (server.address() as AddressInfo).port };
}

function sClient(port: number, extra: string[], stdin: Buffer): OpensslProcess {
  return openssl(
    ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-CAfile', pki('ca.pem'), '-servername', 'localhost', '-quiet', ...extra],
    { stdin },
  );
}

describe('openssl s_client against our TLS 1.2 server', { concurrency: 2 }, () => {
  for (const s of SUITES) {
    it(`moves 1 MiB both ways with ${s.openssl} and closes with close_notify`, CASE, async () => {
      const { server, port } = await ourServer({});
      const toClient = payload(MIB, 7);
      const toServer = payload(MIB, 9);
      const secure = once(server, 'secureConnection') as Promise<[TLSSocket]>;
      const cli = sClient(port, ['-cipher', s.openssl], toServer);
      try {
        const [sock] = await within(secure, 10_000, 'handshake with s_client');
        const summary = sock.getHandshakeSummary()!;
        assert.equal(summary.version, 'TLSv1.2');
        assert.equal(summary.cipherSuite.id, s.id);
        assert.equal(summary.serverName, 'localhost');
        if (s.kx === 'ECDHE') assert.equal(summary.group, NamedGroup.x25519);
        if (s.kx === 'DHE') assert.equal(summary.group, NamedGroup.ffdhe2048);
        const received = readExactly(sock, MIB);
        sock.write(toClient);
        assert.ok((await within(received, 20_000, 'data from s_client')).equals(toServer), 'server received s_client data byte-exact');
        await within(until(() => cli.stdout().length >= MIB, 20_000, 's_client stdout'), 21_000, 's_client stdout');
        assert.ok(cli.stdout().equals(toClient), 's_client received our data byte-exact');
        sock.end();
        await within(closed(sock), 10_000, 'our socket to close');
        assert.equal(sock.connection.closeNotifyReceived, true, 's_client answered with close_notify');
        assert.equal(await within(cli.exited, 10_000, 's_client to exit'), 0);
        assertQuiet(cli, 's_client');
      } finally {
        cli.child.kill('SIGKILL');
        server.close();
      }
    });
  }
});

describe('TLS 1.2 mutual authentication with openssl', { concurrency: 2 }, () => {
  for (const name of ['client-rsa', 'client-p256']) {
    it(`our server authenticates s_client presenting ${name}`, CASE, async () => {
      // requestCert + rejectUnauthorized: the certificate is required and verified against test/fixtures/pki/ca.pem.
      const { server, port } = await ourServer({ requestCert: true, rejectUnauthorized: true });
      const secure = once(server, 'secureConnection') as Promise<[TLSSocket]>;
      const cli = sClient(port, ['-cert', pki(`${name}.pem`), '-key', pki(`${name}.key`)], Buffer.from('hello from s_client'));
      try {
        const [sock] = await within(secure, 10_000, 'handshake with s_client');
        const summary = sock.getHandshakeSummary()!;
        // s_client sends its chain with the CA appended (OpenSSL builds it from -CAfile).
        assert.deepEqual(summary.peerCertificates[0], pemToDer(read(`${name}.pem`))[0]);
        assert.equal(summary.peerSignatureScheme, name === 'client-rsa' ? SignatureScheme.rsa_pss_rsae_sha256 : SignatureScheme.ecdsa_secp256r1_sha256);
        assert.equal(sock.authorized, true, 'the X.509 verifier accepted the peer against test/fixtures/pki/ca.pem');
        assert.equal((await within(readExactly(sock, 19), 5000, 'data')).toString(), 'hello from s_client');
        sock.end();
        await within(closed(sock), 10_000, 'our socket to close');
        assert.equal(await within(cli.exited, 10_000, 's_client to exit'), 0);
        assertQuiet(cli, 's_client');
      } finally {
        cli.child.kill('SIGKILL');
        server.close();
      }
    });
  }

  it('our server refuses s_client without a certificate with handshake_failure', CASE, async () => {
    const { server, port } = await ourServer({ requestCert: true, rejectUnauthorized: true });
    const failed = once(server, 'tlsClientError') as Promise<[TLSError]>;
    const cli = sClient(port, [], Buffer.from('x'));
    try {
      const [err] = await within(failed, 10_000, 'tlsClientError');
      assert.equal(err.alert?.name, 'handshake_failure');
      assert.equal(err.alert?.direction, 'sent');
      assert.equal(err.code, 'ERR_TLS_PEER_CERTIFICATE_REQUIRED');
      assert.notEqual(await within(cli.exited, 10_000, 's_client to exit'), 0);
      assert.match(cli.stderr(), /alert handshake failure/, 's_client reports the alert');
    } finally {
      cli.child.kill('SIGKILL');
      server.close();
    }
  });

  for (const name of ['client-rsa', 'client-p256']) {
    it(`our client presents ${name} to s_server -Verify`, CASE, async () => {
      const port = await freePort();
      const srv = sServer(port, ['-Verify', '1', '-CAfile', pki('ca.pem')], Buffer.from('hello from s_server'));
      const sock = await connectWhenListening({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        maxVersion: 'TLSv1.2',
        cert: read(`${name}.pem`),
        key: read(`${name}.key`),
        ca: caPem(),
      }).catch((e: unknown) => {
        srv.child.kill('SIGKILL'); // the server must not outlive a failed connect
        throw e;
      });
      try {
        assert.deepEqual(sock.getHandshakeSummary()!.localCertificates, pemToDer(read(`${name}.pem`)));
        assert.equal((await within(readExactly(sock, 19), 5000, 'data')).toString(), 'hello from s_server');
        sock.write('hello from ts-tls');
        await within(until(() => srv.stdout().length >= 17, 5000, 's_server stdout'), 6000, 's_server stdout');
        assert.equal(srv.stdout().toString(), 'hello from ts-tls');
        sock.end();
        await within(closed(sock), 10_000, 'our socket to close');
        assert.equal(sock.connection.closeNotifyReceived, true);
        assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
        assertQuiet(srv, 's_server');
        assert.match(srv.stderr(), /verify return:1/, 's_server verified our certificate');
      } finally {
        sock.destroy();
        srv.child.kill('SIGKILL');
      }
    });
  }

  it('our client without a certificate is refused by s_server -Verify with handshake_failure', CASE, async () => {
    const port = await freePort();
    const srv = sServer(port, ['-Verify', '1', '-CAfile', pki('ca.pem')], Buffer.from('x'));
    try {
      const err = await within(
        connectWhenListening({ host: '127.0.0.1', port, servername: 'localhost', maxVersion: 'TLSv1.2', ca: caPem() }).then(
          (s) => {
            s.destroy();
            throw new Error('handshake unexpectedly succeeded');
          },
          (e: TLSError) => e,
        ),
        15_000,
        'the refusal',
      );
      assert.equal(err.code, 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', err.message); // node:tls's code (ours: err.tlsCode)
      assert.equal(err.alert?.name, 'handshake_failure');
      assert.equal(err.alert?.direction, 'received');
      await within(srv.exited, 10_000, 's_server to exit');
      assert.match(srv.stderr(), /peer did not return a certificate/);
    } finally {
      srv.child.kill('SIGKILL');
    }
  });
});
