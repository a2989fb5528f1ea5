import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { checkHostname, createCertificate, generateKeyPair, type Certificate } from '../../src/x509/index.js';
import { dnsNameMatches, canonicalHostname } from '../../src/x509/hostname.js';

async function certWith(names: { dns?: string[]; ip?: string[] }, cn = 'cn.example'): Promise<Certificate> {
  const k = generateKeyPair();
  return (await createCertificate({ subject: `CN=${cn}`, privateKeyPem: k.privateKeyPem, ...(names.dns || names.ip ? { subjectAltNames: names } : {}) })).certificate;
}

const ok = (c: Certificate, h: string): boolean => checkHostname(c, h).ok;

describe('hostname verification (RFC 6125 / CA/B)', () => {
  let plain: Certificate;
  let wild: Certificate;
  before(async () => {
    plain = await certWith({ dns: ['www.example.com', 'Mixed.Example.ORG', 'xn--bcher-kva.example', 'trailing.example.'] });
    wild = await certWith({ dns: ['*.example.com', '*.co.uk', '*.com', 'f*.example.net', '*oo.example.net', 'a.*.example.org', '*.*.example.edu', '*.github.io'] });
  });

  it('matches a dNSName exactly, case-insensitively, ignoring a trailing dot', () => {
    assert.ok(ok(plain, 'www.example.com'));
    assert.ok(ok(plain, 'WWW.EXAMPLE.COM'));
    assert.ok(ok(plain, 'www.example.com.'));
    assert.ok(ok(plain, 'mixed.example.org'));
    assert.ok(ok(plain, 'trailing.example'));
    assert.ok(!ok(plain, 'example.com'));
    assert.ok(!ok(plain, 'wwww.example.com'));
    assert.ok(!ok(plain, 'a.www.example.com'));
  });

  it('matches a wildcard only as the whole left-most label, over exactly one label', () => {
    assert.ok(ok(wild, 'a.example.com'));
    assert.ok(ok(wild, 'A.Example.Com'));
    assert.ok(!ok(wild, 'example.com'), 'the wildcard needs a label');
    assert.ok(!ok(wild, 'a.b.example.com'), 'one label only');
    assert.ok(!ok(wild, '.example.com'));
    assert.ok(!ok(wild, 'foo.example.net'), 'no partial wildcards (f*)');
    assert.ok(!ok(wild, 'boo.example.net'), 'no partial wildcards (*oo)');
    assert.ok(!ok(wild, 'a.b.example.org'), 'no wildcard outside the first label');
    assert.ok(!ok(wild, 'a.b.example.edu'));
  });

  it('never lets a wildcard cover a public suffix (*.com, *.co.uk, *.github.io)', () => {
    assert.ok(!ok(wild, 'example.com') && !ok(wild, 'anything.com'));
    assert.ok(!ok(wild, 'example.co.uk'));
    assert.ok(!ok(wild, 'someone.github.io'));
    assert.ok(!dnsNameMatches('*.com', 'a.com'));
    assert.ok(!dnsNameMatches('*', 'localhost'));
  });

  it('does not let a wildcard match an IDNA A-label', () => {
    assert.ok(!ok(wild, 'xn--bcher-kva.example.com'));
  });

  it('converts a U-label host name to its A-label (node:url domainToASCII)', () => {
    assert.equal(canonicalHostname('bücher.example'), 'xn--bcher-kva.example');
    assert.ok(ok(plain, 'bücher.example'));
    assert.ok(ok(plain, 'BÜCHER.example'));
    assert.ok(ok(plain, 'xn--bcher-kva.example'));
    assert.ok(!ok(plain, 'bucher.example'));
  });

  it('matches IP addresses only against iPAddress SANs', async () => {
    const c = await certWith({ dns: ['127.0.0.1', '10.0.0.1'], ip: ['192.0.2.1', '2001:db8::1'] });
    assert.ok(ok(c, '192.0.2.1'));
    assert.ok(ok(c, '2001:db8::1'));
    assert.ok(ok(c, '[2001:db8::1]'));
    assert.ok(ok(c, '2001:DB8:0:0:0:0:0:1'));
    assert.ok(!ok(c, '127.0.0.1'), 'an IP never matches a dNSName');
    assert.ok(!ok(c, '10.0.0.1'));
    assert.ok(!ok(c, '192.0.2.2'));
    assert.ok(!ok(c, '::ffff:192.0.2.1'), 'no v4-mapped equivalence');
    const dnsOnly = await certWith({ dns: ['192.0.2.1'] });
    assert.ok(!ok(dnsOnly, '192.0.2.1'));
  });

  it('does not fall back to the commonName, with or without SANs', async () => {
    const noSan = await certWith({}, 'legacy.example');
    const r = checkHostname(noSan, 'legacy.example');
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /commonName is not used/);
    const withSan = await certWith({ dns: ['other.example'] }, 'legacy.example');
    assert.ok(!ok(withSan, 'legacy.example'));
  });

  it('rejects invalid host names', () => {
    for (const h of ['', '.', 'a..b', 'exa mple.com', '*.example.com', 'a/b']) assert.ok(!ok(plain, h), h);
  });
});
