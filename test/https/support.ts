/**
 * Shared by the https / cli / browser / wireshark tests: fixture PKI, a ts-tls
 * HTTPS echo server, running commands, small stream helpers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server, type ServerOptions } from '../../src/https/index.js';
import { projectRoot } from '../helpers/paths.js';

export const fixture = (name: string): string => readFileSync(join(projectRoot, 'test', 'fixtures', 'pki', name), 'utf8');
export const fixturePath = (name: string): string => join(projectRoot, 'test', 'fixtures', 'pki', name);
export const CA = fixture('ca.pem');
export const SERVER_CERT = fixture('server-rsa.pem');
export const SERVER_KEY = fixture('server-rsa.key');

export interface EchoReply {
  readonly method: string;
  readonly path: string;
  readonly httpVersion: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly protocol: string | null;
}

/** A ts-tls HTTPS server answering with JSON about the request (body size and hash). */
export async function echoServer(options: ServerOptions = {}): Promise<{ server: Server; port: number; url: string; close(): Promise<void> }> {
  const { createHash } = await import('node:crypto');
  const server = createServer({ cert: SERVER_CERT, key: SERVER_KEY, ...options }, (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    const h = createHash('sha256');
    let n = 0;
    req.on('data', (d: Buffer) => {
      n += d.length;
      h.update(d);
    });
    req.on('end', () => {
      const tls = server.tlsSocketOf(req);
      const reply: EchoReply = { method: req.method ?? '', path: req.url ?? '', httpVersion: req.httpVersion, bytes: n, sha256: h.digest('hex'), protocol: tls?.getProtocol() ?? null };
      const body = JSON.stringify(reply);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `https://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  try {
    return spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Run a command to completion (with stdin), collecting its output. */
export function run(cmd: string, args: string[], opts: { stdin?: Buffer | string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out; stderr: ${err.slice(-800)}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => {});
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

/** The CLI entry point as built. */
export const CLI = join(projectRoot, 'dist', 'src', 'cli', 'main.js');

export function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** A deterministic payload. */
export function payload(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
