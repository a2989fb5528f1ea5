/**
 * Issue 11 items 13 and 14: the server's clocks. A handshake that never
 * completes ends in tlsClientError ERR_TLS_HANDSHAKE_TIMEOUT (as node:tls),
 * and a reply written right after a TLS 1.3 handshake is not held back by
 * Nagle's algorithm waiting for the client's delayed ACK (~40 ms on Linux).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { describe, it } from 'node:test';
import { createServer } from '../../src/index.js';
import { within } from '../helpers/interop.js';
import { projectRoot } from '../helpers/paths.js';

const f = (n: string): string => readFileSync(join(projectRoot, 'test', 'fixtures', 'pki', n), 'utf8');
const options = { cert: f('server-rsa.pem'), key: f('server-rsa.key') };

type AnyServer = net.Server & { on(event: 'tlsClientError', l: (err: Error & { code?: string }, socket: net.Socket) => void): unknown };

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

/** The first bytes of a ClientHello record, never completed. */
const PARTIAL_HELLO = Buffer.from([22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3]);

/** Connect, send a partial hello (then a byte every 50 ms when `trickle`), and wait for the server's tlsClientError. */
async function stall(server: AnyServer, trickle: boolean): Promise<{ code: string | undefined; ms: number; closed: Promise<unknown> }> {
  const port = await listen(server);
  const started = Date.now();
  const seen = new Promise<string | undefined>((resolve) => server.on('tlsClientError', (err) => resolve(err.code)));
  const client = net.connect(port, '127.0.0.1');
  client.on('error', () => {});
  const closed = new Promise((resolve) => client.once('close', resolve));
  client.write(PARTIAL_HELLO);
  const drip = trickle ? setInterval(() => client.write(Buffer.from([0])), 50) : undefined;
  try {
    const code = await within(seen, 10_000, 'tlsClientError');
    return { code, ms: Date.now() - started, closed };
  } finally {
    clearInterval(drip);
  }
}

describe('server timing', () => {
  it('emits tlsClientError ERR_TLS_HANDSHAKE_TIMEOUT for a stalled handshake, as node:tls does, and closes the connection', async () => {
    const ours = createServer({ ...options, handshakeTimeout: 300 });
    const theirs = tls.createServer({ ...options, handshakeTimeout: 300 });
    theirs.on('tlsClientError', (_err, socket) => socket.destroy());
    try {
      const [a, b] = await Promise.all([stall(ours as unknown as AnyServer, false), stall(theirs as AnyServer, false)]);
      assert.equal(b.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
      assert.equal(a.code, b.code);
      // Unlike node:tls, which leaves the socket to the listener, ours is closed.
      await a.closed;
    } finally {
      ours.close();
      theirs.close();
    }
  });

  it('times a handshake from the connection, however slowly the client trickles its bytes', async () => {
    const server = createServer({ ...options, handshakeTimeout: 400 });
    try {
      const { code, ms, closed } = await stall(server as unknown as AnyServer, true);
      assert.equal(code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
      assert.ok(ms < 5000, `timed out after ${ms} ms`);
      await closed;
    } finally {
      server.close();
    }
  });

  it('answers a request written right after a TLS 1.3 handshake without a delayed-ACK wait (Nagle off)', async () => {
    const echo = (s: net.Socket): void => {
      s.on('data', (d: Buffer) => s.write(d));
      s.on('error', () => {});
    };
    const median = async (server: net.Server): Promise<number> => {
      const port = await listen(server);
      const times: number[] = [];
      try {
        for (let i = 0; i < 9; i++) {
          const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, minVersion: 'TLSv1.3' });
          await once(c, 'secureConnect');
          const t = performance.now();
          c.write('ping');
          await once(c, 'data');
          times.push(performance.now() - t);
          c.destroy();
        }
      } finally {
        server.close();
      }
      return times.sort((x, y) => x - y)[4]!;
    };
    const theirs = await median(tls.createServer(options, echo));
    const ours = await median(createServer(options, echo as unknown as Parameters<typeof createServer>[1]));
    // With Nagle on, the reply waited for the client's delayed ACK: ~45 ms, against ~2 ms (node:tls ~0.5 ms).
    assert.ok(ours < Math.max(30, 4 * theirs), `median reply after the handshake: ${ours.toFixed(1)} ms (node:tls ${theirs.toFixed(1)} ms)`);
  });
});
