/**
 * Small pieces for interop tests over real sockets: bounded waits, reading an
 * exact number of bytes from a stream, connecting with retries while a peer
 * process starts.
 */
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import type { ConnectOptions } from '../../src/node/options.js';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/tlssocket.js';
import { pki } from './openssl.js';

/** Reject with a clear message if `p` does not settle within `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Resolve with the first `n` bytes read from `s` (rejects on error or early end). */
export function readExactly(s: Duplex, n: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (d: Buffer): void => {
      parts.push(d);
      got += d.length;
      if (got >= n) {
        cleanup();
        resolve(Buffer.concat(parts));
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`stream ended after ${got} of ${n} bytes`));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const cleanup = (): void => {
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('error', onError);
    };
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('error', onError);
  });
}

/** Resolve once `s` has emitted 'close'. */
export function closed(s: Duplex): Promise<void> {
  return s.destroyed && s.closed ? Promise.resolve() : new Promise<void>((resolve) => s.once('close', () => resolve()));
}

/**
 * Our connect(), retried while the peer is not listening yet (ECONNREFUSED),
 * so that a peer started with -quiet (which prints no ACCEPT) can be waited for
 * without spending one of its accepts on a probe. Resolves after the handshake.
 */
export async function connectWhenListening(options: ConnectOptions, timeoutMs = 10_000): Promise<TLSSocket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const socket = connect(options);
    const outcome = await new Promise<'ok' | 'refused' | Error>((resolve) => {
      socket.once('secureConnect', () => resolve('ok'));
      socket.once('error', (e: Error & { code?: string }) => resolve(e.code === 'ECONNREFUSED' ? 'refused' : e));
    });
    if (outcome === 'ok') return socket;
    if (outcome !== 'refused') throw outcome;
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${options.port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const caPem = (): string => readFileSync(pki('ca.pem'), 'utf8');

