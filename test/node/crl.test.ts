/**
 * node:tls's `crl` option on our connect() and createServer(): a revoked
 * server certificate or client certificate ends the handshake with
 * certificate_revoked and Node's code CERT_REVOKED, a chain without a CRL for
 * every level with UNABLE_TO_GET_CRL — and node:tls, given the same CRLs,
 * reaches the same verdicts (the parity checks).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { connect, createServer, type TLSSocket } from '../../src/index.js';
import type { TLSError } from '../../src/errors.js';
import { createCrl, createTestPki, type TestPki } from '../../src/x509/issue.js';
import { within } from '../helpers/interop.js';

let pki: TestPki;
// One PEM string per CRL: node:tls reads only the first CRL of each string (ours reads them all).
/** CRLs of both CAs, nothing revoked. */
let clean: string[];
/** The intermediate's CRL lists the leaf; the root's is clean. */
let leafRevoked: string[];
/** Only the intermediate's CRL (nothing covers the intermediate itself). */
let partial: string;
const open: { close(): void }[] = [];

before(async () => {
  pki = await createTestPki();
  const rootCrl = (await createCrl({ issuer: pki.root })).pem;
  const interClean = (await createCrl({ issuer: pki.intermediate })).pem;
  const interRevoking = (await createCrl({ issuer: pki.intermediate, revoked: [{ serial: pki.leaf.certificate.serialNumber, reason: 'keyCompromise' }] })).pem;
  clean = [rootCrl, interClean];
  leafRevoked = [rootCrl, interRevoking];
  partial = interClean;
});
after(() => {
  for (const s of open) s.close();
});

async function listening<T extends { listen(port: number, host: string): unknown; address(): unknown; close(): void }>(server: T): Promise<number> {
  open.push(server);
  server.listen(0, '127.0.0.1');
  await within(once(server as unknown as import('node:events').EventEmitter, 'listening'), 5000, 'server to listen');
  return (server.address() as AddressInfo).port;
}

/** A node:tls server presenting the test PKI's leaf and intermediate. */
function nodeServer(): Promise<number> {
  return listening(
    tls.createServer({ key: pki.leafKeyPem, cert: pki.chainPem }, (s) => {
      s.on('error', () => {});
      s.end();
    }).on('tlsClientError', () => {}),
  );
}

/** Our client against a node:tls server presenting the test PKI's leaf. */
async function ourClientVerdict(crl: string | string[] | undefined): Promise<{ authorized?: boolean; error?: TLSError }> {
  const port = await nodeServer();
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.rootPem, ...(crl !== undefined ? { crl } : {}) });
    s.once('secureConnect', () => {
      resolve({ authorized: s.authorized });
      s.destroy();
    });
    s.once('error', (error: TLSError) => resolve({ error }));
  });
}

/** node:tls's client, same server and CRLs: the reference verdict. */
async function nodeClientVerdict(crl: string | string[] | undefined): Promise<{ authorized?: boolean; code?: string }> {
  const port = await nodeServer();
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.rootPem, ...(crl !== undefined ? { crl } : {}) });
    s.once('secureConnect', () => {
      resolve({ authorized: s.authorized });
      s.destroy();
    });
    s.once('error', (e: Error & { code?: string }) => resolve({ code: e.code ?? e.message }));
  });
}

describe('crl option', () => {
  it('accepts a chain whose every level has a current CRL that does not list it (node:tls agrees)', async () => {
    assert.deepEqual(await ourClientVerdict(clean), { authorized: true });
    assert.deepEqual(await nodeClientVerdict(clean), { authorized: true });
    // Both CRLs in one PEM string: read whole here (node:tls would take the first and answer UNABLE_TO_GET_CRL).
    assert.deepEqual(await ourClientVerdict(clean.join('')), { authorized: true });
  });

  it('refuses a revoked server certificate with certificate_revoked and CERT_REVOKED (node:tls agrees)', async () => {
    const r = await ourClientVerdict(leafRevoked);
    assert.equal(r.error?.code, 'CERT_REVOKED');
    assert.equal(r.error?.alert?.name, 'certificate_revoked');
    assert.deepEqual(await nodeClientVerdict(leafRevoked), { code: 'CERT_REVOKED' });
  });

  it('refuses a chain with a level no CRL covers: UNABLE_TO_GET_CRL (node:tls agrees)', async () => {
    const r = await ourClientVerdict(partial);
    assert.equal(r.error?.code, 'UNABLE_TO_GET_CRL');
    assert.deepEqual(await nodeClientVerdict(partial), { code: 'UNABLE_TO_GET_CRL' });
  });

  it('checks nothing without the option', async () => {
    assert.deepEqual(await ourClientVerdict(undefined), { authorized: true });
  });

  it('throws at connect() for a CRL that does not parse, before connecting', () => {
    assert.throws(
      () => connect({ host: '127.0.0.1', port: 9, crl: '-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n' }),
      (e: TLSError) => e.code === 'ERR_TLS_INVALID_OPTION' && /^crl: /.test(e.message),
    );
  });

  it('a server with requestCert and crl refuses a revoked client certificate (certificate_revoked)', async () => {
    let serverError: TLSError | undefined;
    const server = createServer({ key: pki.leafKeyPem, cert: pki.chainPem, ca: pki.rootPem, requestCert: true, crl: leafRevoked }, (s: TLSSocket) => s.end());
    server.on('tlsClientError', (e: TLSError) => (serverError = e));
    const port = await listening(server);
    const clientError = await new Promise<Error & { code?: string }>((resolve) => {
      const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.rootPem, key: pki.leafKeyPem, cert: pki.chainPem });
      c.once('error', resolve);
      c.once('secureConnect', () => c.once('data', () => {}));
      c.once('close', () => resolve(new Error('closed without an error')));
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(serverError?.code, 'CERT_REVOKED');
    assert.match(clientError.code ?? clientError.message, /CERTIFICATE_REVOKED/i);
  });
});
