/**
 * The parent's side of https-child.ts: fork a ts-tls HTTPS server process,
 * learn its port, ask it for statistics, see whether it is still alive.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ServerOptions } from '../../src/https/index.js';
import { projectRoot } from './paths.js';

/** What /big answers: large enough that responses are still in flight when a client goes. */
export const BIG_RESPONSE = 256 * 1024;

export interface ChildStats {
  /** Handshakes completed ('secureConnection'). */
  readonly handshakes: number;
  /** Requests answered (HTTP/1.1 and h2). */
  readonly requests: number;
  /** tlsClientError codes (with the alert when there was one), counted. */
  readonly clientErrors: Record<string, number>;
  /** Errors on established connections, by code. */
  readonly socketErrors: Record<string, number>;
  readonly rss: number;
  readonly peakRss: number;
  readonly heapUsed: number;
  /** Event-loop delay since the start, ms. */
  readonly loopDelay: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface ChildServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** Exit code or signal once it died; undefined while it runs. */
  death(): string | undefined;
  /** Its statistics (after two full GCs when `gc`: the child runs with --expose-gc). */
  stats(gc?: boolean): Promise<ChildStats>;
  /** Everything it wrote to stderr (a crash's stack). */
  stderr(): string;
  stop(): Promise<void>;
}

const CHILD = join(projectRoot, 'dist', 'test', 'helpers', 'https-child.js');

export async function startChildServer(options: ServerOptions = {}): Promise<ChildServer> {
  const child = fork(CHILD, [JSON.stringify(options)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  let died: string | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    died = signal ?? `exit code ${code}`;
    resolve();
  }));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { type: string; port: number }) => resolve(m.port));
    child.once('exit', () => reject(new Error(`the server process died while starting: ${err}`)));
  });
  return {
    port,
    process: child,
    death: () => died,
    stderr: () => err,
    stats: (gc = false) =>
      new Promise<ChildStats>((resolve, reject) => {
        if (died) return reject(new Error(`the server process died (${died}): ${err}`));
        const onMessage = (m: { type: string; stats: ChildStats }): void => {
          if (m.type !== 'stats') return;
          child.off('message', onMessage);
          resolve(m.stats);
        };
        child.on('message', onMessage);
        child.send({ type: 'stats', gc });
      }),
    stop: async () => {
      if (!died) child.kill();
      await exited;
    },
  };
}
