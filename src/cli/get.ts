/**
 * ts-tls get URL — like curl: one HTTPS request over ts-tls, the body to
 * stdout (or -o FILE). HTTP/2 or HTTP/1.1 by ALPN, as the server prefers;
 * --http1.1 / --http2 force one.
 */
import { createWriteStream } from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { Writable } from 'node:stream';
import { connect } from '../node/connect.js';
import type { ConnectOptions } from '../node/options.js';
import type { TLSSocket } from '../node/tlssocket.js';
import { http2Bridge } from '../https/bridge.js';
import { CliError, UsageError, helpText, list, parseCommand, type CommandSpec } from './args.js';
import { TLS_FLAGS, bool, certAndKey, describeError, instrument, readFileFor, str, summaryLines, tlsOptionsFrom, type CliIO } from './common.js';

export const getSpec: CommandSpec = {
  name: 'get',
  usage: 'ts-tls get URL [options]',
  summary: 'Make one HTTPS request over ts-tls (like curl) and write the response body to stdout.',
  options: {
    request: { type: 'string', short: 'X', arg: 'METHOD', help: 'request method (default GET, or POST with -d)' },
    header: { type: 'string', short: 'H', arg: '"Name: value"', multiple: true, help: 'add a request header' },
    data: { type: 'string', short: 'd', arg: 'DATA', help: 'request body; @FILE reads it from FILE, @- from stdin' },
    output: { type: 'string', short: 'o', arg: 'FILE', help: 'write the body to FILE instead of stdout' },
    include: { type: 'boolean', short: 'i', help: 'print the status line and response headers before the body' },
    verbose: { type: 'boolean', short: 'v', help: 'print what was negotiated and the server\'s chain to stderr' },
    insecure: { type: 'boolean', short: 'k', help: 'do not verify the server certificate' },
    'http1.1': { type: 'boolean', help: 'HTTP/1.1 only (ALPN http/1.1)' },
    http2: { type: 'boolean', help: 'HTTP/2 only (ALPN h2)' },
    servername: { type: 'string', arg: 'NAME', help: 'SNI and the name to verify (default: the URL\'s host)' },
    cert: { type: 'string', arg: 'FILE', help: 'client certificate chain (PEM)' },
    key: { type: 'string', arg: 'FILE', help: 'client private key (PEM)' },
    ...TLS_FLAGS,
  },
  epilog: 'Examples:\n  ts-tls get https://localhost:8443/ --cafile ca.pem -i\n  ts-tls get https://localhost:8443/upload -d @big.bin --http2 --trace',
};

async function readBody(v: string | undefined, io: CliIO): Promise<Buffer | undefined> {
  if (v === undefined) return undefined;
  if (v === '@-') {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  if (v.startsWith('@')) return readFileFor('-d', v.slice(1));
  return Buffer.from(v, 'utf8');
}

function parseHeaders(lines: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i <= 0) throw new UsageError(`-H "${l}" is not "Name: value"`);
    h[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return h;
}

export async function runGet(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parseCommand(getSpec, argv);
  if (p.help) {
    io.stdout.write(helpText(getSpec));
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError(p.positionals.length === 0 ? 'missing URL' : `unexpected argument ${p.positionals[1]}`);
  let url: URL;
  try {
    url = new URL(p.positionals[0]!);
  } catch {
    throw new UsageError(`not a URL: ${p.positionals[0]}`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`only https: URLs are supported (got ${url.protocol})`);
  const v = p.values;
  if (bool(v, 'http1.1') && bool(v, 'http2')) throw new UsageError('--http1.1 and --http2 exclude each other');
  const body = await readBody(str(v, 'data'), io);
  const method = (str(v, 'request') ?? (body ? 'POST' : 'GET')).toUpperCase();
  const headers = parseHeaders(list(v, 'header'));
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : 443;
  const alpn = bool(v, 'http1.1') ? ['http/1.1'] : bool(v, 'http2') ? ['h2'] : ['h2', 'http/1.1'];
  const options: ConnectOptions = { ...tlsOptionsFrom(v), ...certAndKey(v, false), host, port, ALPNProtocols: alpn };
  const sn = str(v, 'servername');
  if (sn) options.servername = sn;
  else if (!net.isIP(host)) options.servername = host;
  if (bool(v, 'insecure')) options.rejectUnauthorized = false;

  const socket = connect(options);
  instrument(socket, v, io, 'client');
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', (e: Error) => reject(new CliError(`handshake with ${host}:${port} failed: ${describeError(e)}`)));
  });
  const summary = socket.getHandshakeSummary();
  if (socket.destroyed) throw new CliError(`connection to ${host}:${port} failed right after the handshake: ${describeError(socket.connection.error ?? new Error('closed'))}`);
  if (summary && bool(v, 'verbose')) io.stderr.write(summaryLines(summary, 'Server').map((l) => `* ${l}`).join('\n') + '\n');
  const outPath = str(v, 'output');
  const out: Writable = outPath ? createWriteStream(outPath) : io.stdout;
  const include = bool(v, 'include');
  const target = `${url.pathname}${url.search}`;
  try {
    if (socket.alpnProtocol === 'h2') await viaHttp2(socket, url, method, target, headers, body, out, include);
    else {
      if (bool(v, 'http2')) throw new CliError(`server did not agree to HTTP/2 (ALPN ${socket.alpnProtocol || 'none'})`);
      await viaHttp1(socket, host, port, method, target, headers, body, out, include);
    }
  } finally {
    if (outPath) await new Promise<void>((r) => out.end(r));
    socket.end();
  }
  return 0;
}

function writeHead(out: Writable, statusLine: string, headers: Record<string, string | string[] | undefined>): void {
  let s = statusLine + '\r\n';
  for (const [k, val] of Object.entries(headers)) {
    if (k.startsWith(':') || val === undefined) continue;
    for (const x of Array.isArray(val) ? val : [val]) s += `${k}: ${x}\r\n`;
  }
  out.write(s + '\r\n');
}

function viaHttp1(socket: TLSSocket, host: string, port: number, method: string, path: string, headers: Record<string, string>, body: Buffer | undefined, out: Writable, include: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = http.request(
      {
        createConnection: () => socket,
        host,
        port,
        method,
        path,
        headers: { host: port === 443 ? host : `${host}:${port}`, 'user-agent': 'ts-tls', accept: '*/*', ...(body ? { 'content-length': String(body.length) } : {}), ...headers },
      },
      (res) => {
        if (include) writeHead(out, `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`, res.headers);
        res.on('data', (d: Buffer) => out.write(d));
        res.on('end', resolve);
        res.on('error', reject);
      },
    );
    req.on('error', (e) => reject(new CliError(`request failed: ${describeError(socket.connection.error ?? e)}`)));
    req.end(body);
  });
}

function viaHttp2(socket: TLSSocket, url: URL, method: string, path: string, headers: Record<string, string>, body: Buffer | undefined, out: Writable, include: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const bridge = http2Bridge(socket);
    const session = http2.connect(url, { createConnection: () => bridge });
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      session.destroy();
      reject(new CliError(`HTTP/2 request failed: ${describeError(bridge.tlsError ?? socket.connection.error ?? e)}`));
    };
    session.on('error', fail);
    session.on('close', () => fail(new Error('the connection closed before the response was complete')));
    const req = session.request({ ':method': method, ':path': path, 'user-agent': 'ts-tls', accept: '*/*', ...(body ? { 'content-length': String(body.length) } : {}), ...headers });
    let responded = false;
    // node:http2 emits 'response' on the next tick: body bytes may come first. Hold them until then.
    let early: Buffer[] = [];
    req.on('response', (h) => {
      responded = true;
      if (include) writeHead(out, `HTTP/2 ${h[':status']}`, h as Record<string, string | string[] | undefined>);
      for (const d of early) out.write(d);
      early = [];
    });
    req.on('data', (d: Buffer) => (responded ? out.write(d) : early.push(d)));
    req.on('end', () => {
      if (!responded || bridge.tlsError) return fail(new Error('the connection closed before a response came'));
      settled = true;
      session.close();
      resolve();
    });
    req.on('error', fail);
    req.end(body);
  });
}
