/**
 * Run the openssl CLI as a TLS peer: s_server on a free port, s_client
 * against our server. Every child is tracked and killed by killAll().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from './paths.js';

const children = new Set<ChildProcess>();

export const pki = (name: string): string => join(projectRoot, 'test', 'fixtures', 'pki', name);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface OpensslProcess {
  readonly child: ChildProcess;
  stdout(): Buffer;
  stderr(): string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** Resolves when `text` has appeared on stdout or stderr (rejects after timeoutMs). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

export function openssl(args: string[], opts: { stdin?: Buffer | 'keep-open' } = {}): OpensslProcess {
  const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const out: Buffer[] = [];
  let err = '';
  let waiters: { text: string; resolve: () => void }[] = [];
  const check = (): void => {
    const all = err + Buffer.concat(out).toString('latin1');
    waiters = waiters.filter((w) => {
      if (all.includes(w.text)) {
        w.resolve();
        return false;
      }
      return true;
    });
  };
  child.stdout!.on('data', (d: Buffer) => {
    out.push(d);
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString('latin1');
    check();
  });
  child.stdin!.on('error', () => {});
  if (opts.stdin instanceof Buffer) child.stdin!.write(opts.stdin);
  if (opts.stdin === undefined) child.stdin!.end();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    children.delete(child);
    resolve(code);
  }));
  return {
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    exited,
    waitFor(text, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for "${text}" from openssl ${args[0]}; stderr: ${err.slice(-500)}`)), timeoutMs);
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
        check();
      });
    },
  };
}

/** Start `openssl s_server` on a free port; resolves once it accepts connections. */
export async function sServer(args: string[], stdin?: Buffer): Promise<OpensslProcess & { port: number }> {
  const port = await freePort();
  const p = openssl(['s_server', '-accept', String(port), ...args], { stdin: stdin ?? 'keep-open' });
  if (stdin) {
    // Keep stdin open: s_server closes the connection at stdin EOF.
  }
  try {
    await p.waitFor('ACCEPT');
  } catch (e) {
    p.child.kill('SIGKILL');
    throw e;
  }
  return Object.assign(p, { port });
}

export function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}

/** A deterministic pseudo-random payload (so failures reproduce). */
export function payload(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Run one openssl command in a fresh directory holding `files`; its exit status and its output (stdout then stderr). */
export function opensslIn(args: string[], files: Record<string, string | Uint8Array>): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ts-tls-openssl-'));
  try {
    for (const [n, c] of Object.entries(files)) writeFileSync(join(dir, n), c);
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
