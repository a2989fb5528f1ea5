/**
 * The Node adapter stops reading while its own output backs up (issue 11,
 * item 4): a peer that keeps sending what makes us answer (KeyUpdate
 * requests, with application data in between so the engine's cap does not
 * end it) and never reads finds the server no longer reading once
 * MAX_PENDING_PROTOCOL_OUTPUT bytes wait on the transport; reading resumes
 * when the transport drains. And over TCP, a plain KeyUpdate flood ends in
 * unexpected_message.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { connect, createServer, type TLSSocket } from '../../src/index.js';
import { clientConfig, createClientConnection } from '../../src/engine.js';
import { MAX_KEY_UPDATES_WITHOUT_DATA, MAX_PENDING_PROTOCOL_OUTPUT } from '../../src/limits.js';
import { projectRoot } from '../helpers/paths.js';

const f = (n: string): Buffer => readFileSync(join(projectRoot, 'test', 'fixtures', 'pki', n));
const serverIdentity = { cert: f('server-p256.pem'), key: f('server-p256.key') };
const T = { timeout: 30_000 };
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * An in-memory transport for the server: what the server writes goes to `onWrite` at once, but while
 * `holding` its write callbacks are kept, so the server sees its queue grow as with a peer that does not read.
 */
class HeldTransport extends Duplex {
  holding = false;
  private held: (() => void)[] = [];
  constructor(private readonly onWrite: (b: Buffer) => void) {
    super({ allowHalfOpen: false });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.onWrite(chunk);
    if (this.holding) this.held.push(() => cb());
    else cb();
  }
  release(): void {
    this.holding = false;
    const held = this.held;
    this.held = [];
    for (const cb of held) cb();
  }
}

describe('output backpressure in the Node adapter', () => {
  it('stops reading while the transport queue is over the bound and resumes on drain', T, async () => {
    const server = createServer(serverIdentity);
    let received = 0;
    let socket: TLSSocket | undefined;
    const client = createClientConnection(clientConfig({ serverName: 'localhost', verifyPeer: async () => ({ valid: true }) }), {
      write: (b) => transport.push(Buffer.from(b)),
      handshake: () => {},
    });
    // The attacker reads the handshake, then nothing (what the server writes afterwards is dropped).
    let attackerReads = true;
    const transport = new HeldTransport((b) => attackerReads && client.receive(new Uint8Array(b)));
    socket = server.wrap(transport);
    socket.on('data', (d: Buffer) => (received += d.length));
    let socketError: Error | undefined;
    socket.on('error', (e: Error) => (socketError = e));
    client.start();
    for (let i = 0; i < 200 && !client.isHandshakeComplete; i++) await tick();
    assert.ok(client.isHandshakeComplete, 'handshake');

    transport.holding = true;
    attackerReads = false;
    let sent = 0;
    let maxQueued = 0;
    let pausedAt = -1;
    // Each round: a KeyUpdate request (the server must answer) and a byte of data (resets the engine's cap).
    const rounds = Math.ceil((1.5 * MAX_PENDING_PROTOCOL_OUTPUT) / 27);
    for (let i = 0; i < rounds; i++) {
      client.keyUpdate(true);
      client.send(Uint8Array.of(0x61));
      sent++;
      if (i % 64 === 0) await tick();
      maxQueued = Math.max(maxQueued, transport.writableLength);
      if (pausedAt < 0 && transport.isPaused()) pausedAt = i;
    }
    await tick();
    maxQueued = Math.max(maxQueued, transport.writableLength);
    assert.ok(pausedAt > 0, 'the server stopped reading');
    assert.ok(received < sent, `the server stopped consuming input (${received} of ${sent})`);
    assert.ok(maxQueued <= MAX_PENDING_PROTOCOL_OUTPUT + 64 * 1024, `queued ${maxQueued} bytes`);

    transport.release();
    for (let i = 0; i < 2000 && received < sent; i++) await tick();
    assert.equal(received, sent, 'everything is read once the transport drains');
    assert.equal(socketError, undefined);
    assert.equal(socket.destroyed, false);
    socket.destroy();
    server.close();
  });

  it('ends a KeyUpdate flood over TCP with unexpected_message', T, async () => {
    const server = createServer(serverIdentity, (s) => s.on('error', () => {}));
    const serverErrors: string[] = [];
    server.on('tlsClientError', () => serverErrors.push('handshake'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const c = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
      await new Promise((r) => c.once('secureConnect', r));
      const closed = new Promise<Error | undefined>((r) => {
        c.on('error', (e) => r(e));
        c.on('close', () => r(undefined));
      });
      for (let i = 0; i < 100 * MAX_KEY_UPDATES_WITHOUT_DATA && !c.connection.isClosed; i++) {
        c.connection.keyUpdate(true);
        if (i % 16 === 0) await tick();
      }
      const err = (await closed) as (Error & { alert?: { name: string } }) | undefined;
      assert.equal(err?.alert?.name, 'unexpected_message');
    } finally {
      server.close();
    }
  });
});
