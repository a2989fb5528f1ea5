/**
 * A benchmark worker process (forked by run.ts). It plays whatever role the
 * orchestrator asks for over IPC: host a server, run clients against one, or
 * run the in-memory engine benchmarks. Every measuring op reports the work
 * done, the wall time and this process's own CPU time over it, so client and
 * server costs are never mixed up.
 */
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { errorMessage, type CpuSample, type Impl, type Measured, type MemSample, type Reply, type Request, type Resume, type TlsParams } from './common.js';
import { connectClient, createAnyServer, type AnyServer, type ClientSocket } from './peers.js';
import { engineBulk, engineHandshakes, engineOptions } from './engine.js';

const cpuNowUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function measureStart(): { done(count: number, extra?: Partial<Measured>): Measured } {
  const t0 = performance.now();
  const c0 = cpuNowUs();
  return {
    done: (count, extra) => ({ count, wallMs: performance.now() - t0, cpuUs: cpuNowUs() - c0, ...extra }),
  };
}

// ----------------------------------------------------------------------------- server side

interface Served {
  server: AnyServer;
  port: number;
  sockets: Set<Duplex>;
  established: number;
  errors: number;
  lastError: string | undefined;
}

let served: Served | undefined;

const HEADER = 13; // direction(1) || writeSize(4) || total(8)

function bulkServerSocket(s: Duplex): void {
  let head: Buffer = Buffer.alloc(0);
  let parsed = false;
  let total = 0;
  let received = 0;
  s.on('data', (d: Buffer) => {
    if (!parsed) {
      head = Buffer.concat([head, d]);
      if (head.length < HEADER) return;
      parsed = true;
      const direction = head[0]!;
      const writeSize = head.readUInt32BE(1);
      total = head.readUInt32BE(5) * 2 ** 32 + head.readUInt32BE(9);
      const rest = head.length - HEADER;
      if (direction === 1) {
        sendBulk(s, writeSize, total, () => {});
        return;
      }
      received = rest;
    } else {
      received += d.length;
    }
    if (received >= total && total > 0) {
      total = 0; // ack once
      s.write('k');
    }
  });
}

/** Write `total` bytes in `writeSize` writes, honouring backpressure. */
function sendBulk(s: Duplex, writeSize: number, total: number, done: () => void): void {
  const chunk = Buffer.alloc(writeSize, 0x61);
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(writeSize, total - sent);
      sent += n;
      const ok = s.write(n === writeSize ? chunk : chunk.subarray(0, n));
      if (!ok) {
        s.once('drain', pump);
        return;
      }
    }
    done();
  };
  pump();
}

async function serve(impl: Impl, t: TlsParams, mode: 'handshake' | 'bulk' | 'ttfb' | 'hold', resume: Resume | undefined): Promise<{ port: number }> {
  await unserve();
  const sockets = new Set<Duplex>();
  const server = createAnyServer(
    impl,
    t,
    resume,
    (s) => {
      st.established++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      if (mode === 'bulk') bulkServerSocket(s);
      else if (mode === 'hold') s.resume();
      else {
        // 'handshake' and 'ttfb': one byte tells the client that the server's side is complete.
        s.resume();
        s.write('x');
      }
    },
    (e) => {
      st.errors++;
      st.lastError = errorMessage(e);
    },
    () => {},
  );
  const st: Served = { server, port: 0, sockets, established: 0, errors: 0, lastError: undefined };
  server.on('connection', (raw: Duplex) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  st.port = (server.address() as AddressInfo).port;
  served = st;
  return { port: st.port };
}

async function unserve(): Promise<void> {
  const s = served;
  served = undefined;
  if (!s) return;
  for (const sock of s.sockets) sock.destroy();
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
}

// ----------------------------------------------------------------------------- client side

/** Connect, wait for the handshake; resolve with the socket, or reject. */
function handshake(impl: Impl, t: TlsParams, port: number, rejectUnauthorized: boolean, session?: Buffer): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    const s = connectClient(impl, t, { port, session, rejectUnauthorized });
    let settled = false;
    s.once('secureConnect', () => {
      settled = true;
      resolve(s);
    });
    s.once('error', (e: Error) => {
      if (settled) return;
      settled = true;
      s.destroy();
      reject(e);
    });
    s.once('close', () => {
      if (settled) return;
      settled = true;
      reject(new Error('connection closed before the handshake finished'));
    });
  });
}

/** One full handshake, kept open until the server hands us a session (1.2: during, 1.3: after the handshake). */
function obtainSession(impl: Impl, t: TlsParams, port: number, rejectUnauthorized: boolean): Promise<{ session: Buffer; ticket: boolean | undefined }> {
  return new Promise((resolve, reject) => {
    const s = connectClient(impl, t, { port, rejectUnauthorized });
    let secure = false;
    let session: Buffer | undefined;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(secure ? 'the server issued no resumable session' : 'handshake timed out'));
    }, 3000);
    const finish = (): void => {
      if (!secure || !session) return;
      clearTimeout(timer);
      const b = session;
      // node:tls clients can say whether the server sent a ticket (getTLSTicket); ts-tls's cannot.
      const t = (s as ClientSocket & { getTLSTicket?: () => Buffer | undefined }).getTLSTicket;
      const ticket = typeof t === 'function' ? t.call(s) !== undefined : undefined;
      setImmediate(() => {
        s.destroy();
        resolve({ session: b, ticket });
      });
    };
    s.once('secureConnect', () => {
      secure = true;
      finish();
    });
    s.once('session', (b: Buffer) => {
      session = b;
      finish();
    });
    s.on('data', () => {});
    s.once('error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function runHandshakes(r: Extract<Request, { op: 'handshakes' }>): Promise<Measured> {
  const donor = r.resume ? await obtainSession(r.impl, r.tls, r.port, r.rejectUnauthorized) : undefined;
  const session = donor?.session;
  const m = measureStart();
  const deadline = performance.now() + r.durationMs;
  let count = 0;
  let notResumed = 0;
  await new Promise<void>((resolve, reject) => {
    let inflight = 0;
    let failed = false;
    const launch = (): void => {
      if (failed) return;
      if (performance.now() >= deadline) {
        if (inflight === 0) resolve();
        return;
      }
      inflight++;
      const s = connectClient(r.impl, r.tls, { port: r.port, session, rejectUnauthorized: r.rejectUnauthorized });
      let done = false;
      let secure = false;
      // The server writes one byte once its side of the handshake is complete (in TLS 1.3 that is
      // after it has read our Finished): closing before it would measure half a handshake.
      const timer = setTimeout(() => fin(new Error(secure ? "no byte from the server within 5 s of the handshake" : 'handshake timed out (5 s)')), 5000);
      const fin = (err?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        inflight--;
        s.destroy();
        if (err) {
          failed = true;
          reject(err);
          return;
        }
        count++;
        launch();
      };
      s.once('secureConnect', () => {
        secure = true;
        if (r.resume && !s.isSessionReused()) notResumed++;
      });
      s.once('data', () => fin());
      s.on('error', (e: Error) => fin(e));
      s.once('close', () => fin(new Error('connection closed before the handshake finished')));
    };
    for (let i = 0; i < r.concurrency; i++) launch();
  });
  return m.done(count, { notResumed, ...(donor?.ticket !== undefined ? { ticketIssued: donor.ticket } : {}) });
}

async function runBulk(r: Extract<Request, { op: 'bulk' }>): Promise<Measured> {
  const s = await handshake(r.impl, r.tls, r.port, r.rejectUnauthorized);
  try {
    const header = Buffer.alloc(HEADER);
    header[0] = r.direction === 'send' ? 0 : 1;
    header.writeUInt32BE(r.writeSize, 1);
    header.writeUInt32BE(Math.floor(r.totalBytes / 2 ** 32), 5);
    header.writeUInt32BE(r.totalBytes >>> 0, 9);
    const m = measureStart();
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.once('close', () => reject(new Error('connection closed during the transfer')));
      if (r.direction === 'send') {
        s.once('data', () => resolve()); // the server's one-byte ack
        s.write(header);
        sendBulk(s, r.writeSize, r.totalBytes, () => {});
      } else {
        let got = 0;
        s.on('data', (d: Buffer) => {
          got += d.length;
          if (got >= r.totalBytes) resolve();
        });
        s.write(header);
      }
    });
    return m.done(r.totalBytes);
  } finally {
    s.destroy();
  }
}

async function runTtfb(r: Extract<Request, { op: 'ttfb' }>): Promise<Measured> {
  const m = measureStart();
  const latencies: number[] = [];
  for (let i = 0; i < r.count; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const s = connectClient(r.impl, r.tls, { port: r.port, rejectUnauthorized: r.rejectUnauthorized });
      s.once('data', () => {
        latencies.push(performance.now() - t0);
        s.destroy();
        resolve();
      });
      s.once('error', reject);
      s.once('close', () => reject(new Error('connection closed before the first byte')));
    });
  }
  return m.done(r.count, { latenciesMs: latencies });
}

const held = new Set<ClientSocket>();

async function openMany(r: Extract<Request, { op: 'open' }>): Promise<{ open: number }> {
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < r.count) {
      next++;
      const s = await handshake(r.impl, r.tls, r.port, r.rejectUnauthorized);
      s.on('error', () => {});
      s.on('data', () => {});
      held.add(s);
      s.once('close', () => held.delete(s));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(r.concurrency, r.count)) }, one));
  return { open: held.size };
}

function closeAll(): { closed: number } {
  const n = held.size;
  for (const s of held) s.destroy();
  held.clear();
  return { closed: n };
}

async function probeVerify(port: number, t: TlsParams): Promise<{ verified: boolean; reason?: string }> {
  try {
    const s = await handshake('ts', t, port, true);
    const ok = s.authorized;
    s.destroy();
    return ok ? { verified: true } : { verified: false, reason: 'handshake completed but the socket is not authorized' };
  } catch (e) {
    return { verified: false, reason: errorMessage(e) };
  }
}

// ----------------------------------------------------------------------------- dispatch

function memSample(): MemSample {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

async function handle(r: Request): Promise<unknown> {
  switch (r.op) {
    case 'serve':
      return serve(r.impl, r.tls, r.mode, r.resume);
    case 'unserve':
      await unserve();
      return {};
    case 'cpu':
      return { cpuUs: cpuNowUs(), atMs: performance.now() } satisfies CpuSample;
    case 'mem':
      return memSample();
    case 'connections':
      return { established: served?.established ?? 0, open: served?.sockets.size ?? 0, errors: served?.errors ?? 0, lastError: served?.lastError };
    case 'handshakes':
      return runHandshakes(r);
    case 'bulk':
      return runBulk(r);
    case 'ttfb':
      return runTtfb(r);
    case 'open':
      return openMany(r);
    case 'closeAll':
      return closeAll();
    case 'probeVerify':
      return probeVerify(r.port, r.tls);
    case 'engine':
      engineOptions.rejectUnauthorized = r.rejectUnauthorized;
      return r.what === 'handshake' ? engineHandshakes(r.impl, r.tls, r.durationMs) : engineBulk(r.impl, r.tls, r.writeSize, r.totalBytes);
    case 'ping':
      return { pid: process.pid };
    case 'exit':
      setImmediate(() => process.exit(0));
      return {};
  }
}

process.on('message', (msg: { id: number; req: Request }) => {
  handle(msg.req).then(
    (value) => process.send!({ id: msg.id, reply: { ok: true, value } satisfies Reply }),
    (e: unknown) => process.send!({ id: msg.id, reply: { ok: false, error: errorMessage(e) } satisfies Reply }),
  );
});

// A peer resetting a connection mid-write must not end the run.
process.on('uncaughtException', (e) => {
  process.stderr.write(`[bench worker ${process.pid}] uncaught: ${errorMessage(e)}\n`);
});
process.on('disconnect', () => process.exit(0));
