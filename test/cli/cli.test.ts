/**
 * The ts-tls CLI end to end: each command as a child process, its help, its
 * work and its error paths (exit code and the one line saying what failed).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeHttps from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, SERVER_CERT, SERVER_KEY, echoServer, fixturePath, hasCommand, payload, run } from '../https/support.js';
import { freePort } from '../helpers/openssl.js';

const cli = (args: string[], opts: Parameters<typeof run>[2] = {}): ReturnType<typeof run> => run(process.execPath, [CLI, ...args], opts);

/** Start `ts-tls serve ...`; resolves with its port once it listens. */
function startServe(args: string[]): Promise<{ child: ChildProcess; port: number; stderr: () => string; stdout: () => string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    const t = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /Listening on \w+:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) {
        clearTimeout(t);
        resolve({
          child,
          port: Number(m[1]),
          stderr: () => err,
          stdout: () => out,
          stop: () =>
            new Promise<void>((r) => {
              if (child.exitCode !== null) return r();
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

describe('ts-tls CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ts-tls-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help for itself and each command, and exits 2 on usage errors', async () => {
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    for (const c of ['connect', 'serve', 'get', 'cert', 'demo']) assert.match(top.stdout.toString(), new RegExp(`\\b${c}\\b`));
    for (const c of [['connect'], ['serve'], ['get'], ['demo'], ['cert'], ['cert', 'ca'], ['cert', 'leaf'], ['cert', 'csr'], ['cert', 'sign']]) {
      const r = await cli([...c, '--help']);
      assert.equal(r.code, 0, c.join(' '));
      assert.match(r.stdout.toString(), /^Usage: ts-tls /, c.join(' '));
    }
    const bad = await cli(['frobnicate']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /unknown command "frobnicate"/);
    const badFlag = await cli(['get', 'https://localhost/', '--bogus']);
    assert.equal(badFlag.code, 2, badFlag.stderr);
    assert.match(badFlag.stderr, /ts-tls get: .*--bogus/);
    const noHost = await cli(['connect']);
    assert.equal(noHost.code, 2, noHost.stderr);
    assert.match(noHost.stderr, /missing HOST:PORT/);
    const noCert = await cli(['serve']);
    assert.equal(noCert.code, 2, noCert.stderr);
    assert.match(noCert.stderr, /--cert and --key are required/);
  });

  it('cert: makes a CA, a leaf, a CSR and signs it, saying where the files went', async () => {
    const ca = await cli(['cert', 'ca', '--out', dir]);
    assert.equal(ca.code, 0, ca.stderr);
    assert.match(ca.stdout.toString(), /Created a new CA/);
    assert.ok(existsSync(join(dir, 'ca.pem')) && existsSync(join(dir, 'ca-key.pem')));
    const again = await cli(['cert', 'ca', '--out', dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);

    const leaf = await cli(['cert', 'leaf', 'localhost', '127.0.0.1', '--out', dir]);
    assert.equal(leaf.code, 0, leaf.stderr);
    assert.match(leaf.stdout.toString(), /localhost\+1\.pem/);
    assert.ok(existsSync(join(dir, 'localhost+1.pem')) && existsSync(join(dir, 'localhost+1-key.pem')));

    const csr = await cli(['cert', 'csr', 'app.test', '--out', dir, '--key-type', 'rsa']);
    assert.equal(csr.code, 0, csr.stderr);
    assert.ok(existsSync(join(dir, 'app.test.csr')));
    const signed = await cli(['cert', 'sign', join(dir, 'app.test.csr'), '--out', dir]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout.toString(), /CN=app\.test/);

    if (hasCommand('openssl', ['version'])) {
      for (const f of ['localhost+1.pem', 'app.test.pem']) {
        const v = await run('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, f)]);
        assert.equal(v.code, 0, `openssl verify ${f}: ${v.stdout.toString()} ${v.stderr}`);
      }
    }
    const noCa = await cli(['cert', 'sign', join(dir, 'app.test.csr'), '--ca', join(dir, 'nope.pem'), '--ca-key', join(dir, 'ca-key.pem')]);
    assert.equal(noCa.code, 1);
    assert.match(noCa.stderr, /cannot read --ca .*nope\.pem: no such file/);
    const badName = await cli(['cert', 'leaf', 'bad name!', '--out', dir]);
    assert.equal(badName.code, 2);
  });

  it('serve --www + get: the inspector page over HTTP/2 and HTTP/1.1, with SSLKEYLOGFILE honoured', async () => {
    const s = await startServe(['--cert', join(dir, 'localhost+1.pem'), '--key', join(dir, 'localhost+1-key.pem'), '--www']);
    try {
      const url = `https://localhost:${s.port}/`;
      const keylog = join(dir, 'keys.log');
      const h2 = await cli(['get', url, '--cafile', join(dir, 'ca.pem'), '-i'], { env: { ...process.env, SSLKEYLOGFILE: keylog } });
      assert.equal(h2.code, 0, h2.stderr);
      const page = h2.stdout.toString();
      assert.match(page, /^HTTP\/2 200/);
      assert.match(page, /Your TLS handshake/);
      assert.match(page, /data-ja4>t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}</);
      assert.match(readFileSync(keylog, 'utf8'), /^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]{64}$/m);

      const json = await cli(['get', `${url}json`, '--cafile', join(dir, 'ca.pem'), '--http1.1', '--tls1.2', '-v']);
      assert.equal(json.code, 0, json.stderr);
      const j = JSON.parse(json.stdout.toString()) as { negotiated: { version: string; alpn: string }; fingerprints: { ja4: string }; request: { httpVersion: string } };
      assert.equal(j.negotiated.version, 'TLSv1.2');
      assert.equal(j.negotiated.alpn, 'http/1.1');
      assert.equal(j.request.httpVersion, '1.1');
      assert.match(j.fingerprints.ja4, /^t12d\d{4}h1_/, '--tls1.2 --http1.1 offers TLS 1.2 and http/1.1 only');
    } catch (e) {
      throw new Error(`${(e as Error).message}\nserve stderr: ${s.stderr()}`);
    } finally {
      await s.stop();
    }
  });

  it('get: POSTs a body from a file with headers, writes -o, and fails on an untrusted server naming the alert', async () => {
    const srv = await echoServer();
    try {
      const big = join(dir, 'body.bin');
      writeFileSync(big, payload(300_000));
      const out = join(dir, 'reply.json');
      for (const v of ['--http1.1', '--http2']) {
        const r = await cli(['get', `${srv.url}/up`, '--cafile', fixturePath('ca.pem'), '-d', `@${big}`, '-H', 'X-Test: 1', '-o', out, v]);
        assert.equal(r.code, 0, r.stderr);
        const j = JSON.parse(readFileSync(out, 'utf8')) as { method: string; bytes: number; httpVersion: string };
        assert.deepEqual([j.method, j.bytes, j.httpVersion], ['POST', 300_000, v === '--http2' ? '2.0' : '1.1']);
      }
      const untrusted = await cli(['get', `${srv.url}/`]);
      assert.equal(untrusted.code, 1);
      assert.equal(untrusted.stderr.trim().split('\n').length, 1, untrusted.stderr);
      assert.match(untrusted.stderr, /^ts-tls get: handshake with localhost:\d+ failed: .*alert (unknown_ca|bad_certificate|certificate_unknown)/);
      const insecure = await cli(['get', `${srv.url}/k`, '-k']);
      assert.equal(insecure.code, 0, insecure.stderr);
    } finally {
      await srv.close();
    }
  });

  it('connect: stdin to the server, the server to stdout, the summary and chain on stderr; sessions resume', async () => {
    const server = nodeHttps.createServer({ cert: SERVER_CERT, key: SERVER_KEY }, (req, res) => res.end(`you asked for ${req.url}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const sess = join(dir, 'session.bin');
      const r = await cli(['connect', `localhost:${port}`, '--cafile', fixturePath('ca.pem'), '--alpn', 'http/1.1', '--session-out', sess], {
        stdin: 'GET /from-stdin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.toString(), /^HTTP\/1\.1 200 OK[\s\S]*you asked for \/from-stdin$/);
      assert.match(r.stderr, /Protocol +TLSv1\.3/);
      assert.match(r.stderr, /Verification +OK/);
      assert.match(r.stderr, /0 s: CN=server-rsa/);
      assert.ok(existsSync(sess), 'session saved');
      const again = await cli(['connect', `localhost:${port}`, '--cafile', fixturePath('ca.pem'), '--session-in', sess], { stdin: 'GET / HTTP/1.0\r\n\r\n' });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /Session +resumed/);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('connect: fails with one line naming the alert (version mismatch, refused port, missing file)', async () => {
    const s = await startServe(['--cert', fixturePath('server-rsa.pem'), '--key', fixturePath('server-rsa.key'), '--tls1.2', '--quiet']);
    try {
      const r = await cli(['connect', `127.0.0.1:${s.port}`, '--tls1.3', '--cafile', fixturePath('ca.pem')]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^ts-tls connect: handshake with 127\.0\.0\.1:\d+ failed: .*alert protocol_version \(70\)/);
      // the server says what happened on its side
      await new Promise((res) => setTimeout(res, 100));
      assert.match(s.stderr(), /Handshake from 127\.0\.0\.1 failed: .*protocol_version/);

      // raw mode: bytes both ways through s_server-like serve
      const echo = await cli(['connect', `localhost:${s.port}`, '--cafile', fixturePath('ca.pem'), '--tls1.2', '--trace'], { stdin: 'hello over tls 1.2\n' });
      assert.equal(echo.code, 0, echo.stderr);
      assert.match(echo.stderr, /Client Hello/);
      assert.match(echo.stderr, /Protocol +TLSv1\.2/);
      await new Promise((res) => setTimeout(res, 100));
      assert.match(s.stdout(), /hello over tls 1\.2/);
    } finally {
      await s.stop();
    }
    const port = await freePort();
    const refused = await cli(['connect', `127.0.0.1:${port}`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^ts-tls connect: handshake with 127\.0\.0\.1:\d+ failed: connection refused/);
    const missing = await cli(['connect', 'localhost:1', '--cafile', join(dir, 'missing.pem')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read --cafile .*missing\.pem: no such file/);
    const early = await cli(['connect', 'localhost:1', '--early-data', join(dir, 'x')]);
    assert.equal(early.code, 2);
    assert.match(early.stderr, /--early-data needs --session-in/);
  });

  it('serve --verify: asks for a client certificate and refuses a client without one', async () => {
    const s = await startServe(['--cert', fixturePath('server-rsa.pem'), '--key', fixturePath('server-rsa.key'), '--cafile', fixturePath('ca.pem'), '--verify', '--www', '--quiet']);
    try {
      const anon12 = await cli(['get', `https://localhost:${s.port}/json`, '--cafile', fixturePath('ca.pem'), '--tls1.2']);
      assert.equal(anon12.code, 1);
      assert.match(anon12.stderr, /^ts-tls get: handshake with localhost:\d+ failed: .*alert handshake_failure \(40\) received/);
      // TLS 1.3: the client has finished before the server judges its (empty) Certificate, so the
      // failure shows up on the request (the alert, or EPIPE when the close wins the race).
      const anon13 = await cli(['get', `https://localhost:${s.port}/json`, '--cafile', fixturePath('ca.pem'), '--tls1.3']);
      assert.equal(anon13.code, 1);
      assert.match(anon13.stderr, /^ts-tls get: .*(certificate_required|EPIPE|ECONNRESET|closed)/);
      const withCert = await cli(['get', `https://localhost:${s.port}/json`, '--cafile', fixturePath('ca.pem'), '--cert', fixturePath('client-rsa.pem'), '--key', fixturePath('client-rsa.key')]);
      assert.equal(withCert.code, 0, withCert.stderr + s.stderr());
    } finally {
      await s.stop();
    }
  });

  it('demo: runs offline and prints the comparison', async () => {
    const r = await run(process.execPath, [join(CLI, '..', '..', 'demo.js'), '--no-trace'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout.toString());
    const out = r.stdout.toString();
    for (const want of [/TLS 1\.2 ECDHE-RSA/, /TLS 1\.2 RSA key exchange/, /TLS 1\.3/, /round trips +2 +2 +1/, /forward secrecy +yes +NO +yes/, /HTTP status +200 +200 +200/]) assert.match(out, want);
  });
});
