import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectPair, handshakeBoth, settle } from '../helpers/pair.js';
import { cipherSuiteByName } from '../../src/registry.js';

const suite = (n: string): number => cipherSuiteByName(n)!.id;

describe('TLS 1.2 in memory', () => {
  it('completes an ECDHE-RSA handshake and moves data both ways', async () => {
    const pair = connectPair(
      { maxVersion: 'TLSv1.2', cipherSuites: [suite('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')] },
      { maxVersion: 'TLSv1.2' },
    );
    const [c, s] = await handshakeBoth(pair);
    assert.equal(c.version, 'TLSv1.2');
    assert.equal(c.cipherSuite.name, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    assert.equal(s.cipherSuite.id, c.cipherSuite.id);
    pair.client.conn.send(new TextEncoder().encode('hello server'));
    pair.server.conn.send(new TextEncoder().encode('hello client'));
    await settle(5);
    assert.equal(new TextDecoder().decode(pair.server.received()), 'hello server');
    assert.equal(new TextDecoder().decode(pair.client.received()), 'hello client');
  });
});
