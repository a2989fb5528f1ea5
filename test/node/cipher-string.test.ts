/**
 * OpenSSL cipher strings and sigalgs lists (src/node/cipher-string.ts): the suites a string selects are
 * the ones `openssl ciphers` lists for it, restricted to what ts-tls implements, in the same order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { evaluateCipherList, parseNodeCiphers, parseSigalgs, defaultCipherString } from '../../src/node/cipher-string.js';
import { CIPHER_SUITES, SignatureScheme } from '../../src/registry.js';
import { DEFAULT_CIPHER_SUITES } from '../../src/config.js';

const OURS_12 = new Set(CIPHER_SUITES.filter((s) => s.version === 'TLSv1.2').map((s) => s.openssl));
const nameOf = (id: number): string => CIPHER_SUITES.find((s) => s.id === id)!.openssl;

function opensslCiphers(list: string): string[] | undefined {
  const r = spawnSync('openssl', ['ciphers', '-tls1_2', `${list}:@SECLEVEL=0`], { encoding: 'utf8' });
  if (r.error) return undefined;
  if (r.status !== 0) return [];
  return r.stdout.trim().split(':').filter((n) => OURS_12.has(n));
}

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

const STRINGS = [
  'ALL',
  'DEFAULT',
  'HIGH',
  'HIGH:!aNULL:!MD5',
  'HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA',
  'ECDHE+AESGCM',
  'ECDHE+AESGCM:ECDHE+CHACHA20',
  'EECDH+AESGCM:EDH+AESGCM',
  'kRSA',
  'RSA',
  'aRSA',
  'ECDSA',
  'AESGCM:@STRENGTH',
  'AES128:AES256',
  'CHACHA20:+ECDSA',
  'HIGH:-ECDHE:ECDHE-RSA-AES128-GCM-SHA256',
  'HIGH:!ECDHE:ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:DES-CBC3-SHA',
  'ALL:+kRSA:+DHE',
  'ALL:-AES256:AES',
  'DH:ECDH',
  'FIPS',
  'TLSv1.2:!CHACHA20',
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384',
];

describe('OpenSSL cipher strings', () => {
  for (const s of STRINGS) {
    it(`selects what openssl ciphers selects for ${s}`, { skip: hasOpenssl ? false : 'the openssl command is not installed' }, () => {
      const expected = opensslCiphers(s)!;
      if (expected.length === 0) assert.throws(() => evaluateCipherList(s), { code: 'ERR_SSL_NO_CIPHER_MATCH' });
      else assert.deepEqual(evaluateCipherList(s).map(nameOf), expected);
    });
  }

  it('refuses a list that selects none of our suites with node\'s ERR_SSL_NO_CIPHER_MATCH', () => {
    for (const s of ['RC4', 'BOGUS', 'ECDHE-RSA-AES128-SHA', 'aNULL', 'HIGH:!HIGH']) assert.throws(() => evaluateCipherList(s), { code: 'ERR_SSL_NO_CIPHER_MATCH' });
  });

  it('keeps the default TLS 1.3 suites unless TLS_ names are given, as node does', () => {
    const a = parseNodeCiphers('ECDHE-RSA-AES128-GCM-SHA256');
    assert.deepEqual(a.suites.map(nameOf), ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256']);
    assert.equal(a.tls13Only, false);
    const b = parseNodeCiphers('TLS_CHACHA20_POLY1305_SHA256');
    assert.deepEqual(b.suites.map(nameOf), ['TLS_CHACHA20_POLY1305_SHA256']);
    assert.equal(b.tls13Only, true);
    assert.throws(() => parseNodeCiphers('TLS_AES_128_GCM_SHA256:RC4'), { code: 'ERR_SSL_NO_CIPHER_MATCH' });
  });

  it('writes the defaults so that they parse back to exactly the defaults', () => {
    assert.deepEqual(parseNodeCiphers(defaultCipherString()).suites, [...DEFAULT_CIPHER_SUITES]);
  });
});

describe('OpenSSL sigalgs lists', () => {
  it('maps SIG+HASH words and IANA names onto our schemes', () => {
    assert.deepEqual(parseSigalgs('ECDSA+SHA256:RSA-PSS+SHA256:PSS+SHA384:RSA+SHA512'), [
      SignatureScheme.ecdsa_secp256r1_sha256,
      SignatureScheme.rsa_pss_rsae_sha256,
      SignatureScheme.rsa_pss_rsae_sha384,
      SignatureScheme.rsa_pkcs1_sha512,
    ]);
    assert.deepEqual(parseSigalgs('rsa_pss_rsae_sha256:ed25519'), [SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.ed25519]);
  });

  it('drops what OpenSSL knows and we do not implement, and refuses unknown words and repeats as OpenSSL does', () => {
    assert.deepEqual(parseSigalgs('RSA+SHA1:DSA+SHA256:ed448:rsa_pss_pss_sha256:ECDSA+SHA384'), [SignatureScheme.ecdsa_secp384r1_sha384]);
    assert.throws(() => parseSigalgs('BOGUS+SHA256'), { code: 'ERR_TLS_INVALID_OPTION' });
    assert.throws(() => parseSigalgs('RSA+SHA256:RSA+SHA256'), { code: 'ERR_TLS_INVALID_OPTION' });
    assert.throws(() => parseSigalgs('RSA+SHA1:DSA+SHA256'), { code: 'ERR_TLS_INVALID_OPTION' });
  });
});
