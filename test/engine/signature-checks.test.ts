/**
 * Handshake signatures are checked, and the right check fires: each test
 * tampers with one signature and forges the Finished messages over the
 * tampered transcript (test/helpers/finished-forger.ts), so that without the
 * signature check the handshake would complete. The control cases show the
 * forger alone does complete it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TLSError } from '../../src/errors.js';
import { cipherSuiteInfo, HandshakeType } from '../../src/registry.js';
import { Finished12Forger, Finished13Forger, flipLastByte, type MessageRewrite } from '../helpers/finished-forger.js';
import { FlightEditor } from '../helpers/hostile.js';
import { certified, connectPair, handshakeBoth, type Pair } from '../helpers/pair.js';
import { expectRefusal } from '../helpers/refusal.js';
import { Tls13Mitm } from '../helpers/tls13-mitm.js';

const T = { timeout: 10_000 };
const HT = HandshakeType;

const clientAuth = { requestClientCertificate: true, requireClientCertificate: true } satisfies Partial<ServerConfig>;

function pair13(rewrite: MessageRewrite, client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}): { pair: Pair; forger: Finished13Forger } {
  const mitm = new Tls13Mitm(0x1301);
  let pair: Pair | undefined;
  const forger = new Finished13Forger(() => pair!, cipherSuiteInfo(0x1301)!, mitm, rewrite);
  pair = connectPair({ minVersion: 'TLSv1.3', cipherSuites: [0x1301], ...client }, { minVersion: 'TLSv1.3', ...server }, { tamper: mitm.tamper });
  mitm.attach(pair);
  return { pair, forger };
}

function pair12(rewrite: MessageRewrite, client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}): { pair: Pair; forger: Finished12Forger } {
  const editor = new FlightEditor();
  let pair: Pair | undefined;
  const forger = new Finished12Forger(() => pair!, editor, rewrite);
  // ECDHE_RSA with AES-128-GCM-SHA256: a signed ServerKeyExchange, SHA-256 transcript.
  pair = connectPair({ maxVersion: 'TLSv1.2', cipherSuites: [0xc02f], ...client }, { maxVersion: 'TLSv1.2', ...server }, { tamper: editor.tamper });
  return { pair, forger };
}

/** Tamper with the first message of `type` sent by `from`. */
function once(type: number, from: 'client' | 'server', change: (m: Uint8Array) => Uint8Array): MessageRewrite {
  let done = false;
  return (m, f) => {
    if (done || f !== from || m[0] !== type) return undefined;
    done = true;
    return change(m);
  };
}

const expectDecryptError = (pair: Pair, failing: 'client' | 'server', message: string): Promise<TLSError> => expectRefusal(pair, failing, 'decrypt_error', message);

describe('handshake signatures, with Finished forged over the tampered transcript', () => {
  it('control: the TLS 1.3 forger alone lets the handshake (with client authentication) complete', T, async () => {
    const { pair, forger } = pair13(() => undefined, { certificates: [certified('client-p256')] }, clientAuth);
    const [c, s] = await handshakeBoth(pair);
    assert.equal(c.version, 'TLSv1.3');
    assert.equal(s.peerCertificates.length, 1);
    assert.equal(forger.rewritten, 0);
  });

  it('control: the TLS 1.2 forger alone lets the handshake (with client authentication) complete', T, async () => {
    const { pair, forger } = pair12(() => undefined, { certificates: [certified('client-p256')] }, clientAuth);
    const [c, s] = await handshakeBoth(pair);
    assert.equal(c.version, 'TLSv1.2');
    assert.equal(s.peerCertificates.length, 1);
    assert.equal(forger.rewritten, 0);
  });

  it('the TLS 1.3 client refuses a server CertificateVerify that does not verify', T, async () => {
    const { pair, forger } = pair13(once(HT.certificate_verify, 'server', flipLastByte));
    await expectDecryptError(pair, 'client', 'server CertificateVerify signature does not verify');
    assert.equal(forger.rewritten, 1);
  });

  it('the TLS 1.3 server refuses a client CertificateVerify that does not verify', T, async () => {
    const { pair, forger } = pair13(once(HT.certificate_verify, 'client', flipLastByte), { certificates: [certified('client-p256')] }, clientAuth);
    await expectDecryptError(pair, 'server', 'client CertificateVerify signature does not verify');
    assert.equal(forger.rewritten, 1);
  });

  it('the TLS 1.3 server refuses a bad client CertificateVerify even when the certificate is optional', T, async () => {
    const { pair } = pair13(once(HT.certificate_verify, 'client', flipLastByte), { certificates: [certified('client-rsa')] }, { requestClientCertificate: true });
    await expectDecryptError(pair, 'server', 'client CertificateVerify signature does not verify');
  });

  for (const name of ['client-p256', 'client-rsa']) {
    it(`the TLS 1.2 server refuses a client CertificateVerify that does not verify (${name})`, T, async () => {
      const { pair, forger } = pair12(once(HT.certificate_verify, 'client', flipLastByte), { certificates: [certified(name)] }, clientAuth);
      await expectDecryptError(pair, 'server', 'client CertificateVerify signature does not verify');
      assert.equal(forger.rewritten, 1);
    });
  }

  for (const [suite, name] of [[0xc02f, 'ECDHE_RSA'], [0xc02b, 'ECDHE_ECDSA'], [0x009e, 'DHE_RSA']] as const) {
    it(`the TLS 1.2 client refuses a ServerKeyExchange signature that does not verify (${name})`, T, async () => {
      const { pair, forger } = pair12(once(HT.server_key_exchange, 'server', flipLastByte), { cipherSuites: [suite] });
      await expectDecryptError(pair, 'client', 'ServerKeyExchange signature does not verify');
      assert.equal(forger.rewritten, 1);
    });
  }
});
