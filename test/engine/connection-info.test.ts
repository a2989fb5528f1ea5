/**
 * What a completed Connection reports beyond the handshake summary, and the
 * record size it sends: the Finished verify_data of each side (node:tls's
 * getFinished/getPeerFinished, RFC 5929 tls-unique), and maxSendFragment
 * (node:tls's setMaxSendFragment, OpenSSL's max_send_fragment).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PLAINTEXT_LENGTH, MIN_SEND_FRAGMENT } from '../../src/limits.js';
import { closeBoth, connectPair, handshakeBoth, until } from '../helpers/pair.js';

/** Lengths of the application_data records in `bytes` (a stream of whole records). */
function recordLengths(bytes: Uint8Array[]): number[] {
  const out: number[] = [];
  for (const b of bytes) {
    for (let at = 0; at + 5 <= b.length; ) {
      const len = (b[at + 3]! << 8) | b[at + 4]!;
      if (b[at] === 23) out.push(len);
      at += 5 + len;
    }
  }
  return out;
}

describe('Connection: Finished values and record size', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: each side's sent Finished is the other's received one, and only after the handshake`, async () => {
      const pair = connectPair({ minVersion: version, maxVersion: version }, { minVersion: version, maxVersion: version });
      assert.equal(pair.client.conn.finishedSent, undefined);
      assert.equal(pair.server.conn.finishedReceived, undefined);
      const [summary] = await handshakeBoth(pair);
      await until(() => pair.server.conn.isHandshakeComplete, 'server handshake');
      const c = pair.client.conn;
      const s = pair.server.conn;
      // TLS 1.2: 12 bytes; TLS 1.3: the hash length (SHA-256 here).
      const length = version === 'TLSv1.2' ? 12 : summary.cipherSuite.hash === 'sha384' ? 48 : 32;
      assert.equal(c.finishedSent?.length, length);
      assert.deepEqual(c.finishedSent, s.finishedReceived);
      assert.deepEqual(s.finishedSent, c.finishedReceived);
      assert.notDeepEqual(c.finishedSent, s.finishedSent);
      await closeBoth(pair);
    });
  }

  it('our last flight leaves before the handshake is reported: a TLS 1.3 client that destroys itself from that callback still completes the server', async () => {
    const pair = connectPair({}, {});
    const report = pair.client.conn.sink.handshake!.bind(pair.client.conn.sink);
    pair.client.conn.sink.handshake = (summary): void => {
      report(summary);
      pair.client.conn.destroy();
    };
    await handshakeBoth(pair);
    await until(() => pair.server.conn.isHandshakeComplete, "the server's handshake (it needs the client's Finished)");
    assert.equal(pair.server.error, undefined);
  });

  it('maxSendFragment bounds every record sent, and refuses values outside 512..2^14', async () => {
    const pair = connectPair({}, {});
    await handshakeBoth(pair);
    const sent: Uint8Array[] = [];
    const conn = pair.client.conn;
    assert.equal(conn.maxSendFragment, MAX_PLAINTEXT_LENGTH);
    assert.throws(() => (conn.maxSendFragment = MIN_SEND_FRAGMENT - 1), RangeError);
    assert.throws(() => (conn.maxSendFragment = MAX_PLAINTEXT_LENGTH + 1), RangeError);
    conn.maxSendFragment = 1000;
    const write = conn.sink.write.bind(conn.sink);
    conn.sink.write = (b: Uint8Array): void => {
      sent.push(new Uint8Array(b));
      write(b);
    };
    const data = new Uint8Array(5000).map((_, i) => i & 0xff);
    conn.send(data);
    await until(() => pair.server.received().length === data.length, 'the data at the server');
    assert.deepEqual(pair.server.received(), data);
    // TLS 1.3 AES-GCM: 1000 bytes of data + 1 content-type byte + 16-byte tag per full record.
    assert.deepEqual(recordLengths(sent), [1017, 1017, 1017, 1017, 1017]);
    await closeBoth(pair);
  });
});
