import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import * as nodeHttp2 from 'node:http2';
import * as nodeHttps from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent as UndiciAgent, fetch, type buildConnector } from 'undici';
import { Agent, connectHttp2, get, request, undiciConnector } from '../../src/https/index.js';
import { CA, SERVER_CERT, SERVER_KEY, fixture, echoServer, hasCommand, payload, run, type EchoReply } from './support.js';

const MiB = payload(1 << 20);
const MiB_SHA = createHash('sha256').update(MiB).digest('hex');

function body(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (s += d));
    res.on('end', () => resolve(s));
    res.on('error', reject);
  });
}

function h2request(session: nodeHttp2.ClientHttp2Session, headers: nodeHttp2.OutgoingHttpHeaders, data?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers);
    let status = 0;
    let s = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (d: string) => (s += d));
    req.on('end', () => resolve({ status, body: s }));
    req.on('error', reject);
    req.end(data);
  });
}

describe('HTTPS over ts-tls', () => {
  let srv: Awaited<ReturnType<typeof echoServer>>;
  before(async () => {
    srv = await echoServer();
  });
  after(async () => {
    await srv.close();
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`our client GETs from our server over ${version} with the CA verified`, async () => {
      const agent = new Agent({ ca: CA, minVersion: version, maxVersion: version });
      const res = await new Promise<IncomingMessage>((resolve, reject) => get(`${srv.url}/hello?x=1`, { agent }, resolve).on('error', reject));
      assert.equal(res.statusCode, 200);
      const r = JSON.parse(await body(res)) as EchoReply;
      assert.deepEqual([r.method, r.path, r.httpVersion, r.protocol], ['GET', '/hello?x=1', '1.1', version]);
      agent.destroy();
    });
  }

  it('our client POSTs 1 MiB to our server and reuses the keep-alive connection', async () => {
    const agent = new Agent({ ca: CA, keepAlive: true });
    const sockets = new Set<unknown>();
    for (let i = 0; i < 2; i++) {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(`${srv.url}/upload`, { method: 'POST', agent, headers: { 'content-length': String(MiB.length) } }, resolve);
        req.on('socket', (s) => sockets.add(s));
        req.on('error', reject);
        req.end(MiB);
      });
      const r = JSON.parse(await body(res)) as EchoReply;
      assert.equal(r.bytes, MiB.length);
      assert.equal(r.sha256, MiB_SHA);
    }
    assert.equal(sockets.size, 1, 'the second request rode the pooled connection');
    agent.destroy();
  });

  it('our client refuses a server whose CA it does not trust (unknown_ca)', async () => {
    const agent = new Agent({ ca: fixture('server-p256.pem') });
    const err = await new Promise<Error>((resolve) => get(srv.url, { agent }, () => resolve(new Error('unexpected response'))).on('error', resolve));
    assert.match(String((err as { code?: string }).code ?? err.message), /UNABLE|unknown_ca|CERT|ALERT/i);
    agent.destroy();
  });

  it('node:https GETs and POSTs 1 MiB to our server', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = nodeHttps.request(`${srv.url}/n`, { method: 'POST', ca: CA, agent: false }, resolve);
      req.on('error', reject);
      req.end(MiB);
    });
    const r = JSON.parse(await body(res)) as EchoReply;
    assert.equal(r.sha256, MiB_SHA);
    assert.equal(r.httpVersion, '1.1');
  });

  it('our client GETs from a node:https server', async () => {
    const server = nodeHttps.createServer({ cert: SERVER_CERT, key: SERVER_KEY }, (req, res) => res.end(`node says hi to ${req.url}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        const agent = new Agent({ ca: CA, maxVersion: version, minVersion: version });
        const res = await new Promise<IncomingMessage>((resolve, reject) => get(`https://localhost:${port}/x`, { agent }, resolve).on('error', reject));
        assert.equal(await body(res), 'node says hi to /x');
        assert.equal((res.socket as unknown as { getProtocol(): string }).getProtocol(), version);
        agent.destroy();
      }
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('fetch() runs through undici over ts-tls (HTTP/1.1 and h2)', async () => {
    const h1 = new UndiciAgent({ connect: undiciConnector({ ca: CA }) as unknown as buildConnector.connector });
    const r1 = await fetch(`${srv.url}/fetch`, { dispatcher: h1, method: 'POST', body: MiB });
    const j1 = (await r1.json()) as EchoReply;
    assert.equal(j1.sha256, MiB_SHA);
    assert.equal(j1.httpVersion, '1.1');
    const h2 = new UndiciAgent({ allowH2: true, connect: undiciConnector({ ca: CA, allowH2: true }) as unknown as buildConnector.connector });
    const r2 = await fetch(`${srv.url}/fetch2`, { dispatcher: h2 });
    const j2 = (await r2.json()) as EchoReply;
    assert.equal(j2.httpVersion, '2.0');
    await Promise.all([h1.close(), h2.close()]);
  });

  it('node:http2 client talks h2 to our server; ours talks h2 to node:http2 and to our server', async () => {
    const nodeClient = nodeHttp2.connect(srv.url, { ca: CA });
    const a = await h2request(nodeClient, { ':method': 'POST', ':path': '/h2' }, MiB);
    assert.equal(a.status, 200);
    assert.equal((JSON.parse(a.body) as EchoReply).sha256, MiB_SHA);
    assert.equal((JSON.parse(a.body) as EchoReply).httpVersion, '2.0');
    nodeClient.close();

    const ours = connectHttp2(srv.url, { ca: CA });
    const b = await h2request(ours, { ':path': '/ours' });
    assert.equal((JSON.parse(b.body) as EchoReply).httpVersion, '2.0');
    assert.equal(ours.tlsSocket()?.alpnProtocol, 'h2');
    ours.close();

    const server = nodeHttp2.createSecureServer({ cert: SERVER_CERT, key: SERVER_KEY }, (req, res) => res.end(`h2 ${req.httpVersion} ${req.url}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const toNode = connectHttp2(`https://localhost:${port}`, { ca: CA });
    const c = await h2request(toNode, { ':path': '/node' });
    assert.equal(c.body, 'h2 2.0 /node');
    toNode.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('curl --cacert GETs and POSTs 1 MiB over HTTP/1.1 and HTTP/2', async (t) => {
    if (!hasCommand('curl')) return t.skip('curl is not installed');
    const features = (await run('curl', ['--version'])).stdout.toString();
    const versions: ('--http1.1' | '--http2')[] = ['--http1.1'];
    if (/\bHTTP2\b/.test(features)) versions.push('--http2');
    else t.diagnostic('this curl has no HTTP2 feature; h2 leg skipped');
    const dir = mkdtempSync(join(tmpdir(), 'ts-tls-curl-'));
    try {
      const ca = join(dir, 'ca.pem');
      const big = join(dir, 'big.bin');
      writeFileSync(ca, CA);
      writeFileSync(big, MiB);
      for (const v of versions) {
        const g = await run('curl', ['-sS', '--fail', v, '--cacert', ca, `${srv.url}/curl-get`]);
        assert.equal(g.code, 0, g.stderr);
        const gr = JSON.parse(g.stdout.toString()) as EchoReply;
        assert.equal(gr.httpVersion, v === '--http2' ? '2.0' : '1.1');
        const p = await run('curl', ['-sS', '--fail', v, '--cacert', ca, '--data-binary', `@${big}`, '-H', 'content-type: application/octet-stream', `${srv.url}/curl-post`]);
        assert.equal(p.code, 0, p.stderr);
        const pr = JSON.parse(p.stdout.toString()) as EchoReply;
        assert.deepEqual([pr.method, pr.bytes, pr.sha256], ['POST', MiB.length, MiB_SHA]);
      }
      // TLS 1.2 only, through curl's --tls-max
      const t12 = await run('curl', ['-sS', '--fail', '--tls-max', '1.2', '--cacert', ca, `${srv.url}/t12`]);
      assert.equal((JSON.parse(t12.stdout.toString()) as EchoReply).protocol, 'TLSv1.2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
