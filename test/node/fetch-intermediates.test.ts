/**
 * connect({ fetchIntermediates: true }) against a server that sends only its
 * leaf (a misconfiguration browsers forgive): the client fetches the
 * intermediate from the leaf's caIssuers URL on a local HTTP server and
 * connects; without the option the same client fails with a clear error.
 * The trace shows the fetch. And `ts-tls connect --fetch-intermediates`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { PassThrough } from 'node:stream';
import { connect, type TLSSocket } from '../../src/index.js';
import type { TLSError } from '../../src/errors.js';
import type { TraceEvent } from '../../src/connection.js';
import { createCertificate, generateKeyPair, type IssuedCertificate, type KeyPair } from '../../src/x509/issue.js';
import { runConnect } from '../../src/cli/connect.js';
import { within } from '../helpers/interop.js';

let aia: http.Server;
let tlsServer: tls.Server;
let tlsPort: number;
let root: IssuedCertificate;
let leafKey: KeyPair;
let aiaHits = 0;

before(async () => {
  aia = http.createServer((req, res) => {
    aiaHits++;
    if (req.url === '/intermediate.cer') res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(inter.der);
    else res.writeHead(404).end();
  });
  aia.listen(0, '127.0.0.1');
  await within(once(aia, 'listening'), 5000, 'AIA server to listen');
  const aiaUrl = `http://127.0.0.1:${(aia.address() as AddressInfo).port}/intermediate.cer`;

  const rootKey = generateKeyPair();
  root = await createCertificate({ subject: 'CN=Fetch Test Root', privateKeyPem: rootKey.privateKeyPem, isCA: true });
  const interKey = generateKeyPair();
  inter = await createCertificate({ subject: 'CN=Fetch Test Intermediate', publicKey: interKey.publicKeySpki, issuer: { certificate: root.certificate, privateKeyPem: rootKey.privateKeyPem }, isCA: true });
  leafKey = generateKeyPair();
  leaf = await createCertificate({
    subject: 'CN=leaf-only.example',
    publicKey: leafKey.publicKeySpki,
    issuer: { certificate: inter.certificate, privateKeyPem: interKey.privateKeyPem },
    subjectAltNames: { dns: ['leaf-only.example'] },
    extKeyUsage: ['serverAuth'],
    caIssuers: [aiaUrl],
  });
  // node:tls as the misconfigured server: it sends the leaf alone.
  tlsServer = tls.createServer({ key: leafKey.privateKeyPem, cert: leaf.pem }, (s) => {
    s.on('error', () => {});
    s.end('hello');
  });
  tlsServer.on('tlsClientError', () => {});
  tlsServer.listen(0, '127.0.0.1');
  await within(once(tlsServer, 'listening'), 5000, 'TLS server to listen');
  tlsPort = (tlsServer.address() as AddressInfo).port;
});
let inter: IssuedCertificate;
let leaf: IssuedCertificate;

after(() => {
  aia.closeAllConnections();
  aia.close();
  tlsServer.close();
});

function dial(extra: Record<string, unknown>): Promise<{ socket?: TLSSocket; error?: TLSError; trace: TraceEvent[] }> {
  const trace: TraceEvent[] = [];
  return within(
    new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port: tlsPort, servername: 'leaf-only.example', ca: root.pem, ...extra });
      s.on('trace', (e: TraceEvent) => trace.push(e));
      s.once('secureConnect', () => {
        resolve({ socket: s, trace });
        s.destroy();
      });
      s.once('error', (error: TLSError) => resolve({ error, trace }));
    }),
    15_000,
    'the handshake',
  );
}

describe('connect({ fetchIntermediates })', () => {
  it('without it, a server that sends only its leaf fails with a clear error', async () => {
    const before = aiaHits;
    const r = await dial({});
    assert.ok(r.error);
    assert.equal(r.error.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(aiaHits, before, 'nothing fetched');
  });

  it('with it, the client fetches the intermediate and connects; the trace shows the fetch', async () => {
    const r = await dial({ fetchIntermediates: true, trace: true });
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.socket?.authorized, true);
    const notes = r.trace.filter((e) => e.kind === 'note').map((e) => e.note ?? '');
    assert.ok(
      notes.some((n) => /caIssuers http:\/\/127\.0\.0\.1:\d+\/intermediate\.cer \(issuer of CN=leaf-only\.example\)(?: from cache)?: fetched CN=Fetch Test Intermediate/.test(n)),
      notes.join('\n'),
    );
  });

  it('ts-tls connect --fetch-intermediates connects too', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    let err = '';
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    stdin.end();
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'ts-tls-fetch-'));
    try {
      writeFileSync(join(dir, 'root.pem'), root.pem);
      const code = await within(
        runConnect([`127.0.0.1:${tlsPort}`, '--servername', 'leaf-only.example', '--cafile', join(dir, 'root.pem'), '--fetch-intermediates'], {
          stdin,
          stdout,
          stderr,
          env: {},
          cwd: dir,
        }),
        15_000,
        'ts-tls connect',
      );
      assert.equal(code, 0, err);
      assert.match(err, /Connected to 127\.0\.0\.1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
