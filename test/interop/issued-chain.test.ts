/**
 * A 3-level chain made by our issuance (root → intermediate → leaf), served by
 * our TLS server, accepted by `openssl s_client -verify_return_error` and by
 * node:tls with the root as `ca`. Also: SNI picks the certificate.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { createServer, type Server } from '../../src/index.js';
import { createTestPki, type TestPki } from '../../src/x509/index.js';
import { killAll, openssl } from '../helpers/openssl.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('a chain issued by ts-tls', () => {
  let pki: TestPki;
  let other: TestPki;
  let server: Server;
  let port: number;
  let rootFile: string;
  before(async () => {
    pki = await createTestPki({ hostnames: ['localhost', '127.0.0.1'], keyType: 'ec' });
    other = await createTestPki({ hostnames: ['other.test'], keyType: 'rsa' });
    const dir = mkdtempSync(join(tmpdir(), 'ts-tls-pki-'));
    rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, pki.rootPem);
    server = createServer(
      {
        cert: pki.chainPem,
        key: pki.leafKeyPem,
        SNICallback: (name, cb) => cb(null, name === 'other.test' ? { cert: other.chainPem, key: other.leafKeyPem } : undefined),
      },
      (s) => {
        s.on('error', () => {});
        s.end('issued\n');
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  after(() => {
    server.close();
    killAll();
  });

  it('is accepted by openssl s_client -verify_return_error', async () => {
    for (const v of ['-tls1_2', '-tls1_3']) {
      const c = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-verify_return_error', '-verify_hostname', 'localhost', '-CAfile', rootFile, '-ign_eof', v]);
      let code: number | null;
      try {
        code = await c.exited;
      } finally {
        c.child.kill('SIGKILL');
      }
      const out = c.stdout().toString();
      assert.equal(code, 0, c.stderr());
      assert.match(out, /Verify return code: 0 \(ok\)/);
      assert.match(out, /issued/);
      assert.match(out + c.stderr(), /depth=2/, 'the path reaches the root through the intermediate');
    }
  });

  it('is accepted by node:tls with the root as ca', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.rootPem }, () => assert.equal(c.authorized, true));
      let got = '';
      c.on('data', (d: Buffer) => (got += d.toString()));
      c.on('end', () => resolve(got));
      c.on('error', reject);
    });
    assert.equal(text, 'issued\n');
  });

  it('serves the certificate SNICallback chose', async () => {
    const subject = await new Promise<string | undefined>((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port, servername: 'other.test', ca: other.rootPem }, () => {
        resolve(c.getPeerCertificate().subjectaltname);
        c.end();
      });
      c.on('error', reject);
    });
    assert.equal(subject, 'DNS:other.test');
  });
});
