/**
 * TLS 1.2 interop with Node's own node:tls (OpenSSL inside) as the peer:
 * our client against tls.createServer, tls.connect against our server, for
 * every TLS 1.2 suite we implement; 1 MiB each way, byte-exact, closed with
 * close_notify; mutual authentication both ways and a missing client
 * certificate refused with handshake_failure. Chains are verified against
 * test/fixtures/pki/ca.pem on both sides.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { createServer, type Server } from '../../src/node/server.js';
import type { TLSSocket } from '../../src/node/tlssocket.js';
import type { TLSError } from '../../src/errors.js';
import { NamedGroup, SignatureScheme, cipherSuiteInfo, type CipherSuiteInfo } from '../../src/registry.js';
import { payload, pki } from '../helpers/openssl.js';
import { caPem, closed, connectWhenListening, readExactly, within } from '../helpers/interop.js';
import { pemToDer } from '../helpers/pair.js';

const SUITES: CipherSuiteInfo[] = [0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9, 0x009e, 0x009f, 0xccaa, 0x009c, 0x009d].map((id) => cipherSuiteInfo(id)!);
const MIB = 1 << 20;
const CASE = { timeout: 30_000 };
const read = (name: string): string => readFileSync(pki(name), 'utf8');

/** RFC 7919 parameters for Node's `dhparam` (its 'auto' would pick OpenSSL's RFC 3526 prime, which has no group name). */
const dhparams = new Map<number, string>();
const DHE_GROUP: Record<number, number> = { 0x009e: NamedGroup.ffdhe2048, 0x009f: NamedGroup.ffdhe3072, 0xccaa: NamedGroup.ffdhe4096 };
const dhDir = mkdtempSync(join(tmpdir(), 'ts-tls-node-dh-'));
const open: { close(): void }[] = [];

before(() => {
  for (const [g, name] of [[NamedGroup.ffdhe2048, 'ffdhe2048'], [NamedGroup.ffdhe3072, 'ffdhe3072'], [NamedGroup.ffdhe4096, 'ffdhe4096']] as const) {
    const file = join(dhDir, `${name}.pem`);
    execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${name}`, '-out', file], { timeout: 10_000 });
    dhparams.set(g, readFileSync(file, 'utf8'));
  }
});
after(() => {
  for (const s of open) s.close();
  rmSync(dhDir, { recursive: true, force: true });
});

/** node:tls server on a free port, RSA and ECDSA certificates, TLS 1.2 only. */
async function nodeServer(options: tls.TlsOptions, onSecure: (s: tls.TLSSocket) => void): Promise<{ server: tls.Server; port: number }> {
  const server = tls.createServer(
    {
      key: [read('server-rsa.key'), read('server-p256.key')],
      cert: [read('server-rsa.pem'), read('server-p256.pem')],
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ca: caPem(),
      ...options,
    },
    onSecure,
  );
  open.push(server);
  server.listen(0, '127.0.0.1');
  await within(once(server, 'listening'), 5000, 'node server to listen');
  return { server, port: (server.address() as AddressInfo).port };
}

/** Our server on a free port. */
async function ourServer(options: Parameters<typeof createServer>[0]): Promise<{ server: Server; port: number }> {
  const server = createServer({
    cert: [read('server-rsa.pem'), read('server-p256.pem')],
    key: [read('server-rsa.key'), read('server-p256.key')],
    maxVersion: 'TLSv1.2',
    cipherSuites: SUITES.map((s) => s.name),
    ca: caPem(),
    ...options,
  });
  open.push(server);
  server.listen(0, '127.0.0.1');
  await within(once(server, 'listening'), 5000, 'our server to listen');
  return { server, port: (server.address() as AddressInfo).port };
}

/** Node's socket: send `out`, read `n` bytes, then wait for the peer to end and close. */
async function nodeSide(s: tls.TLSSocket, out: Buffer, n: number): Promise<Buffer> {
  const got = readExactly(s, n);
  s.write(out);
  return within(got, 20_000, 'data at the node side');
}

describe('our TLS 1.2 client against node:tls server', { concurrency: 2 }, () => {
  for (const s of SUITES) {
    it(`moves 1 MiB both ways with ${s.openssl} and closes with close_notify`, CASE, async () => {
      const toClient = payload(MIB, 13);
      const toServer = payload(MIB, 17);
      let nodeReceived: Promise<Buffer> | undefined;
      let nodeClosed: Promise<void> | undefined;
      const { server, port } = await nodeServer(
        { ciphers: s.openssl, ...(s.kx === 'DHE' ? { dhparam: dhparams.get(DHE_GROUP[s.id]!)! } : {}) },
        (peer) => {
          nodeReceived = nodeSide(peer, toClient, MIB);
          nodeClosed = new Promise((r) => peer.once('close', () => r()));
        },
      );
      const sock = await connectWhenListening({ host: '127.0.0.1', port, servername: 'localhost', maxVersion: 'TLSv1.2', cipherSuites: [s.name], ca: caPem() });
      try {
        const summary = sock.getHandshakeSummary()!;
        assert.equal(summary.version, 'TLSv1.2');
        assert.equal(summary.cipherSuite.id, s.id);
        assert.equal(summary.group, s.kx === 'ECDHE' ? NamedGroup.x25519 : s.kx === 'DHE' ? DHE_GROUP[s.id] : undefined);
        assert.equal(summary.peerSignatureScheme, s.kx === 'RSA' ? undefined : s.auth === 'ECDSA' ? SignatureScheme.ecdsa_secp256r1_sha256 : SignatureScheme.rsa_pss_rsae_sha256);
        assert.equal(sock.authorized, true);
        const received = readExactly(sock, MIB);
        sock.write(toServer);
        assert.ok((await within(received, 20_000, 'data from node')).equals(toClient), 'client received node data byte-exact');
        assert.ok((await nodeReceived!).equals(toServer), 'node received our data byte-exact');
        sock.end();
        await within(closed(sock), 10_000, 'our socket to close');
        assert.equal(sock.connection.closeNotifyReceived, true, 'node answered with close_notify');
        await within(nodeClosed!, 10_000, 'node socket to close');
      } finally {
        sock.destroy();
        server.close();
      }
    });
  }
});

describe('node:tls client against our TLS 1.2 server', { concurrency: 2 }, () => {
  for (const s of SUITES) {
    it(`moves 1 MiB both ways with ${s.openssl} and closes with close_notify`, CASE, async () => {
      const toClient = payload(MIB, 19);
      const toServer = payload(MIB, 23);
      const { server, port } = await ourServer({});
      const secure = once(server, 'secureConnection') as Promise<[TLSSocket]>;
      const client = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: s.openssl });
      try {
        await within(once(client, 'secureConnect'), 10_000, 'node handshake');
        assert.equal(client.authorized, true, String(client.authorizationError));
        assert.equal(client.getProtocol(), 'TLSv1.2');
        assert.equal(client.getCipher().name, s.openssl);
        const [sock] = await within(secure, 10_000, 'our handshake');
        const summary = sock.getHandshakeSummary()!;
        assert.equal(summary.cipherSuite.id, s.id);
        // Node offers no FFDHE groups, so we pick our first (RFC 7919 §4).
        assert.equal(summary.group, s.kx === 'ECDHE' ? NamedGroup.x25519 : s.kx === 'DHE' ? NamedGroup.ffdhe2048 : undefined);
        const eph = client.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number };
        if (s.kx === 'ECDHE') assert.equal(eph.name, 'X25519');
        if (s.kx === 'DHE') assert.deepEqual([eph.type, eph.size], ['DH', 2048]);
        const nodeGot = nodeSide(client, toServer, MIB);
        const received = readExactly(sock, MIB);
        sock.write(toClient);
        assert.ok((await within(received, 20_000, 'data from node')).equals(toServer), 'server received node data byte-exact');
        assert.ok((await nodeGot).equals(toClient), 'node received our data byte-exact');
        const nodeClosed = new Promise<void>((r) => client.once('close', () => r()));
        sock.end();
        await within(closed(sock), 10_000, 'our socket to close');
        assert.equal(sock.connection.closeNotifyReceived, true, 'node answered with close_notify');
        await within(nodeClosed, 10_000, 'node socket to close');
      } finally {
        client.destroy();
        server.close();
      }
    });
  }
});

describe('TLS 1.2 mutual authentication with node:tls', { concurrency: 2 }, () => {
  for (const name of ['client-rsa', 'client-p256']) {
    it(`our server requires and verifies a node:tls client presenting ${name}`, CASE, async () => {
      const { server, port } = await ourServer({ requestCert: true, rejectUnauthorized: true });
      const secure = once(server, 'secureConnection') as Promise<[TLSSocket]>;
      const client = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), maxVersion: 'TLSv1.2', cert: read(`${name}.pem`), key: read(`${name}.key`) });
      try {
        const [sock] = await within(secure, 10_000, 'our handshake');
        const summary = sock.getHandshakeSummary()!;
        assert.deepEqual(summary.peerCertificates[0], pemToDer(read(`${name}.pem`))[0]);
        assert.equal(summary.peerSignatureScheme !== undefined, true);
        assert.equal(sock.authorized, true, String(sock.authorizationError));
        await within(once(client, 'secureConnect'), 10_000, 'node handshake');
        client.write('hi');
        assert.equal((await within(readExactly(sock, 2), 5000, 'data')).toString(), 'hi');
      } finally {
        client.destroy();
        server.close();
      }
    });

    it(`our client presents ${name} to a node:tls server that requires one`, CASE, async () => {
      let peerCN: unknown;
      let peerAuthorized: boolean | undefined;
      const { server, port } = await nodeServer({ requestCert: true, rejectUnauthorized: true }, (peer) => {
        peerAuthorized = peer.authorized;
        peerCN = peer.getPeerCertificate().subject?.CN;
        peer.end('welcome');
      });
      const sock = await connectWhenListening({ host: '127.0.0.1', port, servername: 'localhost', maxVersion: 'TLSv1.2', ca: caPem(), cert: read(`${name}.pem`), key: read(`${name}.key`) });
      try {
        assert.equal((await within(readExactly(sock, 7), 5000, 'data')).toString(), 'welcome');
        assert.equal(peerAuthorized, true);
        assert.equal(peerCN, name);
        await within(closed(sock), 10_000, 'our socket to close');
        assert.equal(sock.connection.closeNotifyReceived, true);
      } finally {
        sock.destroy();
        server.close();
      }
    });
  }

  it('our server refuses a node:tls client without a certificate with handshake_failure', CASE, async () => {
    const { server, port } = await ourServer({ requestCert: true, rejectUnauthorized: true });
    const failed = once(server, 'tlsClientError') as Promise<[TLSError]>;
    const client = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), maxVersion: 'TLSv1.2' });
    const clientError = new Promise<Error & { code?: string }>((r) => client.once('error', r));
    try {
      const [err] = await within(failed, 10_000, 'tlsClientError');
      assert.equal(err.alert?.name, 'handshake_failure');
      assert.equal(err.alert?.direction, 'sent');
      const ce = await within(clientError, 10_000, 'node client error');
      assert.equal(ce.code, 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', ce.message);
    } finally {
      client.destroy();
      server.close();
    }
  });

  it('a node:tls server that requires a certificate refuses our client without one (handshake_failure received)', CASE, async () => {
    const { server, port } = await nodeServer({ requestCert: true, rejectUnauthorized: true }, () => {});
    server.on('tlsClientError', () => {});
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
    } finally {
      server.close();
    }
  });
});
