/**
 * A ts-tls HTTPS server (h2 and HTTP/1.1) in a child process of its own, for
 * tests and the soak script that must see whether hostile clients can kill,
 * freeze or bloat the server process: nothing here catches an uncaught
 * exception, so a crash ends the process and the parent sees it.
 *
 * Started by child-server.ts (child_process.fork); talks over IPC:
 *   → { type: 'listening', port }
 *   ← { type: 'stats', gc?: boolean }  → { type: 'stats', stats: ChildStats }
 * Paths: /big answers BIG_RESPONSE bytes (responses stay in flight), anything else a few bytes.
 * argv[2]: JSON ServerOptions overrides (e.g. {"handshakeTimeout": 2000}).
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createServer, type ServerOptions } from '../../src/https/index.js';
import type { TLSError } from '../../src/errors.js';
import { projectRoot } from './paths.js';
import { BIG_RESPONSE, type ChildStats } from './child-server.js';

const pki = (name: string): string => readFileSync(join(projectRoot, 'test', 'fixtures', 'pki', name), 'utf8');

function label(err: Error & { code?: string; alert?: TLSError['alert'] }): string {
  const code = err.code ?? err.name;
  return err.alert ? `${code} (${err.alert.direction} ${err.alert.name})` : code;
}

function count(table: Record<string, number>, key: string): void {
  table[key] = (table[key] ?? 0) + 1;
}

/** Start the server (only when forked: `node --test` also loads every file under test/ and must not hang here). */
function main(): void {
  const overrides = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
  const big = Buffer.alloc(BIG_RESPONSE, 0x61);
  const clientErrors: Record<string, number> = {};
  const socketErrors: Record<string, number> = {};
  let handshakes = 0;
  let requests = 0;
  let peakRss = process.memoryUsage.rss();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 100).unref();

  const server = createServer(
    {
      cert: pki('server-rsa.pem'),
      key: pki('server-rsa.key'),
      onSocket: (socket) => {
        socket.on('error', (err: Error) => {
          if (socket.connection.isHandshakeComplete) count(socketErrors, label(err));
        });
      },
      ...overrides,
    },
    (req, res) => {
      requests++;
      req.on('error', () => {});
      res.on('error', () => {});
      req.resume();
      if (req.url === '/big') res.end(big);
      else res.end('ok\n');
    },
  );
  server.on('secureConnection', () => handshakes++);
  server.on('tlsClientError', (err: TLSError, socket) => {
    count(clientErrors, label(err));
    socket.destroy();
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
  });

  process.on('message', (m: { type?: string; gc?: boolean }) => {
    if (m.type !== 'stats') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (m.gc && gc) {
      gc();
      gc();
    }
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    const stats: ChildStats = {
      handshakes,
      requests,
      clientErrors,
      socketErrors,
      rss,
      peakRss,
      heapUsed: process.memoryUsage().heapUsed,
      loopDelay: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    };
    process.send?.({ type: 'stats', stats });
  });
  // The parent going away ends us too.
  process.on('disconnect', () => process.exit(0));
}

if (process.send) main();
