/**
 * The engine over each crypto path: the default provider (the native addon
 * when it is built) and node:crypto alone (what a machine without a C
 * compiler gets), and the two talking to each other — the records they
 * protect are the same bytes on the wire. Every AEAD, both versions, data
 * both ways across many records, closed with close_notify.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeCryptoProvider, defaultProvider } from '../../src/crypto/node.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { NamedGroup } from '../../src/registry.js';
import { certified, closeBoth, connectPair, handshakeBoth, until } from '../helpers/pair.js';
import { payload } from '../helpers/openssl.js';

const nodeOnly = new NodeCryptoProvider({ native: false });

const PAIRS: { name: string; client: CryptoProvider; server: CryptoProvider }[] = [
  { name: 'node:crypto ↔ node:crypto', client: nodeOnly, server: nodeOnly },
  { name: 'default ↔ node:crypto', client: defaultProvider, server: nodeOnly },
  { name: 'node:crypto ↔ default', client: nodeOnly, server: defaultProvider },
];

const SUITES: { version: 'TLSv1.2' | 'TLSv1.3'; suite: number; name: string }[] = [
  { version: 'TLSv1.2', suite: 0xc02b, name: 'ECDHE-ECDSA AES-128-GCM' },
  { version: 'TLSv1.2', suite: 0xc02c, name: 'ECDHE-ECDSA AES-256-GCM' },
  { version: 'TLSv1.2', suite: 0xcca9, name: 'ECDHE-ECDSA ChaCha20-Poly1305' },
  { version: 'TLSv1.3', suite: 0x1301, name: 'AES-128-GCM' },
  { version: 'TLSv1.3', suite: 0x1302, name: 'AES-256-GCM' },
  { version: 'TLSv1.3', suite: 0x1303, name: 'ChaCha20-Poly1305' },
];


describe('the engine over each crypto path', () => {
  for (const p of PAIRS) {
    for (const s of SUITES) {
      it(`${p.name}: ${s.version} ${s.name}, x25519`, { timeout: 15_000 }, async () => {
        const server = certified('server-p256');
        const pair = connectPair(
          { provider: p.client, minVersion: s.version, maxVersion: s.version, cipherSuites: [s.suite], groups: [NamedGroup.x25519] },
          { provider: p.server, minVersion: s.version, maxVersion: s.version, cipherSuites: [s.suite], groups: [NamedGroup.x25519], certificates: [server] },
        );
        const [cs, ss] = await handshakeBoth(pair);
        assert.equal(cs.cipherSuite.id, s.suite);
        assert.equal(ss.cipherSuite.id, s.suite);
        // Several full records and a ragged tail each way.
        const up = payload(70_001, 3);
        const down = payload(50_003, 5);
        pair.client.conn.send(up);
        pair.server.conn.send(down);
        await until(() => pair.server.received().length >= up.length && pair.client.received().length >= down.length, 'application data');
        assert.ok(Buffer.from(pair.server.received()).equals(up));
        assert.ok(Buffer.from(pair.client.received()).equals(down));
        await closeBoth(pair);
      });
    }
  }
});
