/**
 * node:tls options that ts-tls refuses, maps or honours beyond its own
 * defaults: an option we cannot implement throws (never silently ignored),
 * before any connection is opened; secureProtocol follows Node's rules;
 * minDHSize raises the TLS 1.2 DHE floor. Peers are node:tls servers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { connect, createServer } from '../../src/index.js';
import type { TLSError } from '../../src/errors.js';
import { pki } from '../helpers/openssl.js';
import { caPem, within } from '../helpers/interop.js';

const read = (name: string): string => readFileSync(pki(name), 'utf8');
const open: { close(): void }[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ts-tls-options-'));
let ffdhe2048 = '';

before(() => {
  const file = join(dir, 'ffdhe2048.pem');
  execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048', '-out', file], { timeout: 10_000 });
  ffdhe2048 = readFileSync(file, 'utf8');
});
after(() => {
  for (const s of open) s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function nodeServer(options: tls.TlsOptions): Promise<number> {
  const server = tls.createServer({ key: read('server-rsa.key'), cert: read('server-rsa.pem'), ...options }, (s) => {
    s.on('error', () => {});
    s.end('hello');
  });
  server.on('tlsClientError', () => {});
  open.push(server);
  server.listen(0, '127.0.0.1');
  await within(once(server, 'listening'), 5000, 'node server to listen');
  return (server.address() as AddressInfo).port;
}

/** Connect with our client; resolve with the negotiated version, or the error. */
function attempt(port: number, extra: Record<string, unknown>): Promise<{ version?: string | null; error?: TLSError }> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), ...extra });
    s.once('secureConnect', () => {
      const version = s.getProtocol();
      s.destroy();
      resolve({ version });
    });
    s.once('error', (error: TLSError) => resolve({ error }));
  });
}

const UNSUPPORTED: Record<string, unknown> = {
  pfx: Buffer.from([0x30, 0x00]),
  secureContext: {},
  pskCallback: () => undefined,
  pskIdentityHint: 'hint',
  privateKeyEngine: 'pkcs11',
  privateKeyIdentifier: 'id',
  clientCertEngine: 'pkcs11',
  requestOCSP: true,
  ALPNCallback: () => 'h2',
  onread: { buffer: Buffer.alloc(16), callback: () => true },
};

describe('node:tls options', () => {
  for (const [name, value] of Object.entries(UNSUPPORTED)) {
    it(`refuses ${name} on connect() before opening a connection`, async () => {
      let accepted = 0;
      const listener = net.createServer((c) => {
        accepted++;
        c.destroy();
      });
      listener.listen(0, '127.0.0.1');
      await once(listener, 'listening');
      const port = (listener.address() as AddressInfo).port;
      try {
        assert.throws(
          () => connect({ host: '127.0.0.1', port, ...({ [name]: value } as object) }),
          (e: TLSError) => e.code === 'ERR_TLS_UNSUPPORTED_OPTION' && e.message.includes(name),
        );
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        listener.close();
      }
      assert.equal(accepted, 0);
    });
  }

  it('refuses an unsupported option on createServer() too', () => {
    assert.throws(
      () => createServer({ key: read('server-rsa.key'), cert: read('server-rsa.pem'), ...({ pfx: Buffer.from([0x30, 0x00]) } as object) }),
      (e: TLSError) => e.code === 'ERR_TLS_UNSUPPORTED_OPTION' && /pfx/.test(e.message),
    );
  });

  it('ignores an unsupported option that is undefined or false', async () => {
    const port = await nodeServer({});
    const r = await attempt(port, { pfx: undefined, requestOCSP: false });
    assert.equal(r.error, undefined);
    assert.equal(r.version, 'TLSv1.3');
  });

  it("secureProtocol 'TLSv1_2_method' pins TLS 1.2 against a server that speaks 1.3", async () => {
    const port = await nodeServer({});
    assert.equal((await attempt(port, { secureProtocol: 'TLSv1_2_method' })).version, 'TLSv1.2');
    assert.equal((await attempt(port, { secureProtocol: 'TLS_method' })).version, 'TLSv1.3');
  });

  it('secureProtocol: TLS 1.0/1.1 methods refused, and never together with minVersion (as Node)', () => {
    for (const m of ['TLSv1_method', 'TLSv1_1_method', 'SSLv3_method']) {
      assert.throws(() => connect({ host: '127.0.0.1', port: 9, secureProtocol: m }), (e: TLSError) => e.code === 'ERR_TLS_UNSUPPORTED_OPTION');
    }
    assert.throws(
      () => connect({ host: '127.0.0.1', port: 9, secureProtocol: 'TLS_method', minVersion: 'TLSv1.2' }),
      (e: TLSError) => e.code === 'ERR_TLS_PROTOCOL_VERSION_CONFLICT',
    );
  });

  it('minDHSize above 2048 refuses a 2048-bit DHE group with insufficient_security; 2048 accepts it', async () => {
    const port = await nodeServer({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES128-GCM-SHA256', dhparam: ffdhe2048 });
    const dhe = { cipherSuites: ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'], maxVersion: 'TLSv1.2' };
    const ok = await attempt(port, { ...dhe, minDHSize: 2048 });
    assert.equal(ok.error, undefined);
    assert.equal(ok.version, 'TLSv1.2');
    const refused = await attempt(port, { ...dhe, minDHSize: 3072 });
    assert.equal(refused.error?.alert?.name, 'insufficient_security');
    assert.match(refused.error?.message ?? '', /below 3072/);
    assert.throws(() => connect({ host: '127.0.0.1', port: 9, minDHSize: -1 }), (e: TLSError) => e.code === 'ERR_OUT_OF_RANGE');
  });
});
