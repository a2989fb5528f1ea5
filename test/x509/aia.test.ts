/**
 * Fetching missing intermediates through caIssuers (RFC 5280 §4.2.2.1):
 * verifyCertificateChain({ fetch }) with the Node fetcher against a local
 * HTTP server on 127.0.0.1 that serves the intermediate (DER, PKCS#7
 * certs-only, PEM, behind a redirect) and every way of failing (404,
 * garbage, oversized, slow, redirect loop, wrong certificate, a loop of
 * caIssuers URLs). Each failure is a clear verification error within
 * seconds, never a hang.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AiaCache,
  createCertificate,
  generateKeyPair,
  parseCaIssuersResponse,
  verifyCertificateChain,
  type IssuedCertificate,
  type KeyPair,
} from '../../src/x509/index.js';
import { der } from '../../src/x509/der.js';
import { fetchIntermediate } from '../../src/node/aia-fetch.js';
import { MAX_AIA_FETCHES, MAX_AIA_RESPONSE_BYTES } from '../../src/x509/limits.js';

interface Ca {
  cert: IssuedCertificate;
  key: KeyPair;
}

/** RFC 5652 ContentInfo(SignedData) with only certificates: what `openssl crl2pkcs7 -nocrl` writes. */
function certsOnly(...certs: Uint8Array[]): Uint8Array {
  const signedData = der.seq(der.int(1), der.setOf(), der.seq(der.oid('1.2.840.113549.1.7.1')), der.tlv(0xa0, ...certs), der.setOf());
  return der.seq(der.oid('1.2.840.113549.1.7.2'), der.explicit(0, signedData));
}

describe('fetching missing intermediates (caIssuers)', () => {
  let server: http.Server;
  let base: string;
  const hits = new Map<string, number>();
  let root: Ca;
  let inter: Ca;
  let otherRoot: Ca;
  let impostor: IssuedCertificate;
  /** Routes: path → handler. */
  const routes = new Map<string, (res: http.ServerResponse) => void>();

  const ca = async (name: string, issuer?: Ca, caIssuers?: string[]): Promise<Ca> => {
    const key = generateKeyPair();
    const cert = await createCertificate({
      subject: `CN=${name}`,
      publicKey: key.publicKeySpki,
      ...(issuer ? { issuer: { certificate: issuer.cert.certificate, privateKeyPem: issuer.key.privateKeyPem } } : { privateKeyPem: key.privateKeyPem }),
      isCA: true,
      ...(caIssuers ? { caIssuers } : {}),
    });
    return { cert, key };
  };
  const leafFrom = async (issuer: Ca, caIssuers: string[]): Promise<IssuedCertificate> => {
    const key = generateKeyPair();
    return createCertificate({
      subject: 'CN=aia.example',
      publicKey: key.publicKeySpki,
      issuer: { certificate: issuer.cert.certificate, privateKeyPem: issuer.key.privateKeyPem },
      subjectAltNames: { dns: ['aia.example'] },
      extKeyUsage: ['serverAuth'],
      caIssuers,
    });
  };
  const url = (path: string): string => `${base}${path}`;
  /** `null`: no fetching; default: the Node fetcher with a fresh cache. */
  const verify = (leaf: IssuedCertificate, fetch: Parameters<typeof verifyCertificateChain>[0]['fetch'] | null = { fetcher: fetchIntermediate, cache: new AiaCache() }) =>
    verifyCertificateChain({ chain: [leaf.der], trustAnchors: root.cert.pem, hostname: 'aia.example', ...(fetch ? { fetch } : {}) });

  before(async () => {
    server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const h = routes.get(path);
      if (h) return h(res);
      res.writeHead(404).end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    root = await ca('AIA Test Root');
    inter = await ca('AIA Test Intermediate', root);
    otherRoot = await ca('AIA Other Root');
    // Same name as the intermediate, another key: a forgery or a stale re-key.
    impostor = (await ca('AIA Test Intermediate')).cert;
    const body = (type: string, b: Uint8Array | string) => (res: http.ServerResponse) => res.writeHead(200, { 'content-type': type }).end(b);
    routes.set('/inter.der', body('application/pkix-cert', inter.cert.der));
    routes.set('/inter.p7c', body('application/pkcs7-mime', certsOnly(inter.cert.der, root.cert.der)));
    routes.set('/inter.pem', body('application/x-pem-file', inter.cert.pem));
    routes.set('/moved', (res) => res.writeHead(301, { location: '/inter.der' }).end());
    routes.set('/garbage', body('application/octet-stream', new Uint8Array(300).map((_, i) => (i * 37 + 11) & 0xff)));
    routes.set('/wrong', body('application/pkix-cert', otherRoot.cert.der));
    routes.set('/impostor', body('application/pkix-cert', impostor.der));
    routes.set('/huge', (res) => {
      res.writeHead(200, { 'content-type': 'application/pkix-cert' });
      const chunk = new Uint8Array(16 * 1024);
      for (let i = 0; i < 64; i++) res.write(chunk);
      res.end();
    });
    routes.set('/huge-declared', (res) => res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) }).write('x'));
    routes.set('/slow', () => {
      /* never answers */
    });
    routes.set('/loop-a', (res) => res.writeHead(302, { location: '/loop-b' }).end());
    routes.set('/loop-b', (res) => res.writeHead(302, { location: '/loop-a' }).end());
    routes.set('/to-https', (res) => res.writeHead(302, { location: 'https://127.0.0.1/inter.der' }).end());
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('is off by default: a leaf alone fails without a single request', async () => {
    const leaf = await leafFrom(inter, [url('/inter.der?off')]);
    const r = await verify(leaf, null);
    assert.equal(r.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(hits.get('/inter.der?off'), undefined);
  });

  for (const [path, what] of [
    ['/inter.der', 'a DER certificate'],
    ['/inter.p7c', 'a PKCS#7 certs-only bundle'],
    ['/inter.pem', 'PEM'],
    ['/moved', 'a DER certificate behind a redirect'],
  ] as const) {
    it(`fetches the missing intermediate served as ${what} and verifies`, async () => {
      const leaf = await leafFrom(inter, [url(path)]);
      const r = await verify(leaf);
      assert.equal(r.valid, true, r.message);
      assert.equal(r.path?.length, 3);
      assert.equal(r.fetched?.[0]?.subjectString, 'CN=AIA Test Intermediate');
    });
  }

  it('reads the PKCS#7 bundle openssl crl2pkcs7 writes', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ts-tls-aia-'));
    try {
      writeFileSync(join(dir, 'certs.pem'), `${inter.cert.pem}${root.cert.pem}`);
      const q = spawnSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(dir, 'certs.pem'), '-outform', 'DER']);
      if (q.error || q.status !== 0) return t.skip(`openssl crl2pkcs7 unavailable: ${q.error?.message ?? q.stderr}`);
      const certs = parseCaIssuersResponse(new Uint8Array(q.stdout));
      assert.deepEqual(
        certs.map((c) => c.subjectString),
        ['CN=AIA Test Intermediate', 'CN=AIA Test Root'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fetches two missing levels, one URL each', async () => {
    const upper = await ca('AIA Upper Intermediate', root);
    const lower = await ca('AIA Lower Intermediate', upper, [url('/upper.der')]);
    routes.set('/upper.der', (res) => res.writeHead(200).end(upper.cert.der));
    routes.set('/lower.der', (res) => res.writeHead(200).end(lower.cert.der));
    const leaf = await leafFrom(lower, [url('/lower.der')]);
    const r = await verify(leaf);
    assert.equal(r.valid, true, r.message);
    assert.equal(r.path?.length, 4);
  });

  it('shares fetched issuers through the cache', async () => {
    routes.set('/cached.der', (res) => res.writeHead(200).end(inter.cert.der));
    const leaf = await leafFrom(inter, [url('/cached.der')]);
    const cache = new AiaCache();
    assert.equal((await verify(leaf, { fetcher: fetchIntermediate, cache })).valid, true);
    assert.equal((await verify(leaf, { fetcher: fetchIntermediate, cache })).valid, true);
    assert.equal(hits.get('/cached.der'), 1);
  });

  it('reports each fetch to onFetch (what the trace shows)', async () => {
    const leaf = await leafFrom(inter, [url('/inter.der?observed')]);
    routes.set('/inter.der?observed', (res) => res.writeHead(200).end(inter.cert.der));
    const events: unknown[] = [];
    const r = await verify(leaf, { fetcher: fetchIntermediate, cache: new AiaCache(), onFetch: (e) => events.push(e) });
    assert.equal(r.valid, true);
    assert.deepEqual(events, [{ url: url('/inter.der?observed'), for: 'CN=aia.example', ok: true, source: 'network', detail: 'CN=AIA Test Intermediate' }]);
  });

  const failures: [string, string, RegExp, string?][] = [
    ['a 404', '/missing.der', /failed: HTTP 404/],
    ['garbage', '/garbage', /failed: not a certificate or PKCS#7/],
    ['an oversized body', '/huge', new RegExp(`exceeds ${MAX_AIA_RESPONSE_BYTES}`)],
    ['an oversized Content-Length', '/huge-declared', /exceeds/],
    ['a redirect loop', '/loop-a', /redirect loop|more than \d+ redirects/],
    ['a redirect to https:', '/to-https', /redirect to https: \(only http: is fetched\)/],
    ['the wrong certificate', '/wrong', /served CN=AIA Other Root, not the issuer of CN=aia\.example/],
    ['a look-alike issuer with another key', '/impostor', /fetched CN=AIA Test Intermediate from http:\S+\/impostor/],
  ];
  for (const [what, path, message, code] of failures) {
    it(`${what} ends in a clear verification error`, async () => {
      const leaf = await leafFrom(inter, [url(path)]);
      const start = Date.now();
      const r = await verify(leaf);
      assert.equal(r.valid, false);
      assert.equal(r.code, code ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      assert.match(r.message ?? '', message);
      assert.ok(Date.now() - start < 10_000);
    });
  }

  it('a server that never answers times out (per-fetch limit)', async () => {
    const leaf = await leafFrom(inter, [url('/slow')]);
    const start = Date.now();
    const r = await verify(leaf, { fetcher: fetchIntermediate, cache: new AiaCache(), timeoutMs: 300 });
    assert.equal(r.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(r.message ?? '', /timed out after 300 ms/);
    assert.ok(Date.now() - start < 5_000, 'bounded');
  });

  it('a fetch function that never settles is cut off by the verifier itself', async () => {
    const leaf = await leafFrom(inter, [url('/never')]);
    const r = await verify(leaf, { fetcher: () => new Promise<Uint8Array>(() => {}), cache: new AiaCache(), timeoutMs: 200 });
    assert.match(r.message ?? '', /timed out after 200 ms/);
  });

  it('the overall time limit stops the fetching', async () => {
    const leaf = await leafFrom(inter, [url('/slow?1'), url('/slow?2'), url('/slow?3')]);
    for (const p of ['/slow?1', '/slow?2', '/slow?3']) routes.set(p, () => {});
    const start = Date.now();
    const r = await verify(leaf, { fetcher: fetchIntermediate, cache: new AiaCache(), timeoutMs: 5_000, totalTimeoutMs: 400 });
    assert.equal(r.valid, false);
    assert.match(r.message ?? '', /ran out of its 400 ms|timed out/);
    assert.ok(Date.now() - start < 4_000, 'bounded by the total limit');
  });

  it('never fetches a URL twice, and at most MAX_AIA_FETCHES URLs, in one verification', async () => {
    // An issuer whose own caIssuers URL points at itself, under a name no anchor has: a loop.
    const floating = await ca('AIA Floating CA', undefined);
    const k = generateKeyPair();
    const loopCa = await createCertificate({
      subject: 'CN=AIA Loop CA',
      issuer: { certificate: floating.cert.certificate, privateKeyPem: floating.key.privateKeyPem },
      publicKey: k.publicKeySpki,
      isCA: true,
      caIssuers: [url('/loop2.der'), url('/m1'), url('/m2'), url('/m3'), url('/m4'), url('/m5')],
    });
    routes.set('/loop2.der', (res) => res.writeHead(200).end(loopCa.der));
    const leaf2 = await leafFrom({ cert: loopCa, key: k }, [url('/loop2.der')]);
    const r = await verify(leaf2);
    assert.equal(r.valid, false);
    assert.equal(hits.get('/loop2.der'), 1, 'the same URL is fetched once');
    const fetchedUrls = [...hits.keys()].filter((p) => p === '/loop2.der' || /^\/m\d$/.test(p));
    assert.ok(fetchedUrls.length <= MAX_AIA_FETCHES, `${fetchedUrls.length} fetches`);
    assert.match(r.message ?? '', /stopped after \d+ caIssuers fetches|HTTP 404/);
  });

  it('https: and other schemes are not fetched (no TLS inside path building)', async () => {
    const leaf = await leafFrom(inter, ['https://127.0.0.1/inter.der', 'ldap://ldap.example/cn=x']);
    const r = await verify(leaf);
    assert.equal(r.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(r.message ?? '', /has no http: caIssuers URL/);
  });

  it('a failed URL is remembered briefly by the cache (not hammered by every connection)', async () => {
    const leaf = await leafFrom(inter, [url('/gone.der')]);
    const cache = new AiaCache();
    await verify(leaf, { fetcher: fetchIntermediate, cache });
    const second = await verify(leaf, { fetcher: fetchIntermediate, cache });
    assert.equal(hits.get('/gone.der'), 1);
    assert.match(second.message ?? '', /HTTP 404/);
  });
});
