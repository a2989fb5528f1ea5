/**
 * ts-tls demo — what `npm start` runs. Offline and self-contained:
 *
 * 1. a CA and an RSA localhost certificate in a temporary folder;
 * 2. an HTTPS server (ts-tls) on 127.0.0.1;
 * 3. three handshakes with the trace on — TLS 1.2 ECDHE-RSA, TLS 1.2 RSA key
 *    exchange, TLS 1.3 — each fetching a page;
 * 4. a comparison: round trips, messages, forward secrecy, bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceEvent } from '../connection.js';
import { Agent } from '../https/agent.js';
import { request } from '../https/request.js';
import { createServer } from '../https/server.js';
import type { TLSSocket } from '../node/tlssocket.js';
import { groupName } from '../registry.js';
import { createTracer } from '../trace/index.js';
import { useColor } from '../trace/color.js';
import { helpText, parseCommand, type CommandSpec } from './args.js';
import { describeError, type CliIO } from './common.js';
import { createCa, issueLeaf } from './cert.js';

export const demoSpec: CommandSpec = {
  name: 'demo',
  usage: 'ts-tls demo [options]',
  summary: 'Offline tour: make a CA and a localhost certificate, start an HTTPS server on 127.0.0.1, and fetch a page\nover TLS 1.2 ECDHE-RSA, TLS 1.2 RSA key exchange and TLS 1.3 with the trace on; then compare them.',
  options: {
    'no-trace': { type: 'boolean', help: 'only the comparison, no message trace' },
    explain: { type: 'boolean', help: 'add a sentence per message saying what it is for' },
    keep: { type: 'boolean', help: 'keep the temporary folder with the certificates' },
  },
};

interface Leg {
  readonly title: string;
  readonly options: { minVersion: 'TLSv1.2' | 'TLSv1.3'; maxVersion: 'TLSv1.2' | 'TLSv1.3'; cipherSuites: string[] };
}

interface LegResult {
  readonly title: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly version?: string;
  readonly suite?: string;
  readonly kx?: string;
  readonly forwardSecret?: boolean;
  readonly roundTrips?: number;
  readonly messages?: number;
  readonly handshakeBytes?: number;
  readonly totalBytes?: number;
  readonly status?: number;
  readonly verified?: string;
}

const LEGS: readonly Leg[] = [
  { title: 'TLS 1.2 ECDHE-RSA', options: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] } },
  { title: 'TLS 1.2 RSA key exchange', options: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cipherSuites: ['TLS_RSA_WITH_AES_128_GCM_SHA256'] } },
  { title: 'TLS 1.3', options: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', cipherSuites: ['TLS_AES_128_GCM_SHA256'] } },
];

function fetchOnce(port: number, ca: string, leg: Leg, onSocket: (s: TLSSocket) => void): Promise<{ status: number; body: string; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    let socket: TLSSocket | undefined;
    const agent = new Agent({ keepAlive: false, sessionReuse: false, onSocket: (s) => ((socket = s), onSocket(s)) });
    const req = request(
      { hostname: 'localhost', port, path: '/', agent, ca, ...leg.options, trace: true, headers: { connection: 'close' } },
      (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          agent.destroy();
          resolve({ status: res.statusCode ?? 0, body, socket: socket! });
        });
        res.on('error', reject);
      },
    );
    req.on('error', (e) => {
      agent.destroy();
      reject(e);
    });
    req.end();
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
    return i === 0 ? `${line}\n${widths.map((w) => '─'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

export async function runDemo(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parseCommand(demoSpec, argv);
  if (p.help) {
    io.stdout.write(helpText(demoSpec));
    return 0;
  }
  const traceOn = p.values['no-trace'] !== true;
  const out = (s: string): void => {
    io.stdout.write(s + '\n');
  };
  const color = useColor(io.stdout as { isTTY?: boolean }, io.env);
  const bold = (s: string): string => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const dir = mkdtempSync(join(tmpdir(), 'ts-tls-demo-'));
  try {
    out(bold('ts-tls demo') + ' — three handshakes against a local HTTPS server, all offline.\n');
    const t0 = Date.now();
    const ca = await createCa(dir, { subject: 'O=ts-tls demo, CN=ts-tls demo CA' });
    const leaf = await issueLeaf(dir, ca, ['localhost', '127.0.0.1'], { key: { type: 'rsa', bits: 2048 } });
    out(`Certificates (in ${dir}):`);
    out(`  CA     ${ca.certPath}`);
    out(`  leaf   ${leaf.certPath}  (RSA 2048, localhost + 127.0.0.1; made in ${Date.now() - t0} ms)`);

    const server = createServer(
      {
        cert: leaf.certPem,
        key: leaf.keyPem,
        // RSA key exchange is off by default; the demo enables it to show what it lacks.
        cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
      },
      (req, res) => {
        const body = `<!doctype html><p>Hello over ${req.socket && 'getProtocol' in req.socket ? String((req.socket as unknown as TLSSocket).getProtocol()) : 'TLS'}!</p>\n`;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
        res.end(body);
      },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    out(`HTTPS server (ts-tls) listening on https://127.0.0.1:${port}/\n`);

    const results: LegResult[] = [];
    for (const leg of LEGS) {
      out(bold(`━━ ${leg.title} ━━`));
      let handshakeBytes = 0;
      let totalBytes = 0;
      let messages = 0;
      let done = false;
      const onSocket = (s: TLSSocket): void => {
        const tracer = traceOn ? createTracer({ format: 'text', explain: p.values['explain'] === true, color, side: 'client', write: (l) => out('  ' + l) }) : undefined;
        s.on('trace', (e: TraceEvent) => {
          tracer?.onEvent(e);
          if (e.kind === 'record') {
            const n = e.record?.length ?? (e.length ?? 0) + 5;
            totalBytes += n;
            if (!done) handshakeBytes += n;
          }
          if (e.kind === 'handshake' && !done) messages++;
        });
        s.once('secureConnect', () => (done = true));
        s.once('close', () => tracer?.flush());
      };
      try {
        const r = await fetchOnce(port, ca.certPem, leg, onSocket);
        const s = r.socket.getHandshakeSummary()!;
        const fs = s.cipherSuite.kx !== 'RSA';
        results.push({
          title: leg.title,
          ok: true,
          version: s.version,
          suite: s.cipherSuite.name,
          kx: s.group === undefined ? 'RSA' : /MLKEM/.test(groupName(s.group)) ? `${groupName(s.group)} (hybrid)` : `${groupName(s.group).startsWith('ffdhe') ? 'DHE' : 'ECDHE'} ${groupName(s.group)}`,
          forwardSecret: fs,
          roundTrips: s.roundTrips,
          messages,
          handshakeBytes,
          totalBytes,
          status: r.status,
          verified: s.authorized ? 'yes (demo CA)' : `no: ${s.authorizationError ?? 'unknown'}`,
        });
        out(`  → HTTP ${r.status}: ${r.body.replace(/<[^>]+>/g, '').trim()}\n`);
      } catch (e) {
        const msg = describeError(e);
        const notYet = leg.title === 'TLS 1.3' && /protocol_version|not implemented/i.test(msg);
        results.push({ title: leg.title, ok: false, error: notYet ? 'not available yet' : msg });
        out(`  ✗ ${notYet ? 'TLS 1.3: not available yet' : msg}\n`);
      }
    }
    server.close();
    server.closeAllConnections();

    out(bold('Comparison'));
    const rows: string[][] = [['', ...results.map((r) => r.title)]];
    const row = (label: string, f: (r: LegResult) => string): void => {
      rows.push([label, ...results.map((r) => (r.ok ? f(r) : '—'))]);
    };
    row('version', (r) => r.version!);
    row('cipher suite', (r) => r.suite!);
    row('key exchange', (r) => r.kx!);
    row('round trips', (r) => String(r.roundTrips));
    row('handshake messages', (r) => String(r.messages));
    row('forward secrecy', (r) => (r.forwardSecret ? 'yes' : 'NO'));
    row('handshake bytes', (r) => String(r.handshakeBytes));
    row('total bytes (+GET)', (r) => String(r.totalBytes));
    row('certificate verified', (r) => r.verified!);
    row('HTTP status', (r) => String(r.status));
    for (const r of results) if (!r.ok) rows.push([`${r.title}:`, r.error ?? 'failed']);
    out(table(rows));
    out('');
    out('Round trips: TLS 1.2 needs two before the client may send its request; TLS 1.3 needs one.');
    out('Forward secrecy: with RSA key exchange the client encrypts the premaster secret to the server\'s');
    out('long-term key, so whoever gets that key later can decrypt recorded sessions. (EC)DHE keys are');
    out('thrown away after the handshake.');
    const failed = results.filter((r) => !r.ok && r.error !== 'not available yet');
    return failed.length > 0 ? 1 : 0;
  } finally {
    if (p.values['keep'] !== true) rmSync(dir, { recursive: true, force: true });
  }
}
