/**
 * Issue 11 item 1: HTTP/2 clients that close, half-close or reset TCP (or end
 * TLS) while responses are in flight must not kill the server process. Node
 * 20's node:http2 wraps our socket in its JSStreamSocket, which asserts on a
 * write after a shutdown; before the fix, a client that ended TLS right after
 * the handshake killed the process within a few connections. The server runs
 * in its own process (test/helpers/https-child.ts), with nothing catching
 * uncaught exceptions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';
import { ABRUPT_MODES, abruptH2Client, h2Get } from '../helpers/h2-clients.js';

const CONNECTIONS = 240;
const CONCURRENCY = 8;

describe('an HTTP/2 server facing abrupt clients', () => {
  let server: ChildServer;
  before(async () => {
    server = await startChildServer();
  });
  after(async () => {
    await server.stop();
  });

  const alive = (): void => assert.equal(server.death(), undefined, `the server process died: ${server.stderr()}`);

  it(`survives ${CONNECTIONS} closes, half-closes and resets with requests in flight, and keeps serving`, async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < CONNECTIONS) {
        const i = next++;
        await abruptH2Client(server.port, ABRUPT_MODES[i % ABRUPT_MODES.length]!, { requests: 1 + (i % 5), delayMs: i % 7 });
        if (i % 60 === 59) {
          alive();
          assert.deepEqual(await h2Get(server.port, '/'), { status: 200, body: 'ok\n' });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // Give a late crash (a write completing after the clients left) the time to happen.
    await new Promise((r) => setTimeout(r, 300));
    alive();
    assert.deepEqual(await h2Get(server.port, '/'), { status: 200, body: 'ok\n' });
    const stats = await server.stats();
    assert.ok(stats.handshakes >= CONNECTIONS / 2, `only ${stats.handshakes} handshakes completed`);
  });
});
