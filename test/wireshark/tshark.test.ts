/**
 * Our trace and key log against Wireshark's own dissector: capture a loopback
 * TLS 1.2 and a TLS 1.3 session of ours with tshark, decrypt it with our key
 * log, and check that tshark saw the handshake messages our trace and our peer
 * saw, the same suite, group, SNI and ALPN, and the decrypted HTTP request.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceEvent } from '../../src/connection.js';
import { Agent, request } from '../../src/https/index.js';
import type { TLSSocket } from '../../src/node/tlssocket.js';
import { NamedGroup, cipherSuiteByName } from '../../src/registry.js';
import { CA, echoServer } from '../https/support.js';

type Step = readonly [from: 'client' | 'server', type: number];

function tsharkUsable(): string | undefined {
  const r = spawnSync('tshark', ['--version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) return 'tshark is not installed (apt-get install tshark)';
  const d = spawnSync('tshark', ['-D'], { encoding: 'utf8' });
  if (!/\blo\b/.test(d.stdout ?? '')) return `tshark cannot list the loopback interface (not root / no capture rights?): ${(d.stderr ?? '').trim().slice(0, 200)}`;
  return undefined;
}

/**
 * Start a capture on lo for one port; resolves once dumpcap is capturing.
 * `stop()` is idempotent and always ends the child (SIGINT, then SIGKILL),
 * so a test can call it in `finally` whatever failed.
 */
function startCapture(port: number, file: string): Promise<{ stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise((r) => setTimeout(r, 400)); // let the last packets reach the file
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    };
    let err = '';
    const t = setTimeout(() => {
      void stop();
      reject(new Error(`tshark did not start capturing: ${err}`));
    }, 15_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/Capturing on/.test(err)) {
        clearTimeout(t);
        // dumpcap announces before its first read; give the ring a moment.
        setTimeout(() => resolve({ stop }), 300);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`tshark exited (${code}) before capturing: ${err}`));
    });
  });
}

interface TsharkView {
  steps: Step[];
  suite: number | undefined;
  group: number | undefined;
  sni: string | undefined;
  alpnOffered: string[];
  requests: string[];
}

function dissect(file: string, keylog: string, port: number): TsharkView {
  const fields = ['tcp.srcport', 'tls.handshake.type', 'tls.handshake.ciphersuite', 'tls.handshake.extensions_key_share_group', 'tls.handshake.server_named_curve', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str', 'http.request.method', 'http.request.uri'];
  const r = spawnSync('tshark', ['-r', file, '-o', `tls.keylog_file:${keylog}`, '-d', `tcp.port==${port},tls`, '-Y', 'tls', '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const view: TsharkView = { steps: [], suite: undefined, group: undefined, sni: undefined, alpnOffered: [], requests: [] };
  for (const line of r.stdout.split('\n').filter((l) => l.trim().length > 0)) {
    const [src, types, suites, ksGroup, curve, sni, alpnStr, method, uri] = line.split('|');
    const from = Number(src) === port ? 'server' : 'client';
    const typeList = (types ?? '').split(',').filter((x) => x !== '').map(Number);
    for (const t of typeList) view.steps.push([from, t]);
    if (from === 'server' && typeList.includes(2)) {
      view.suite = Number(suites);
      if (ksGroup) view.group = Number(ksGroup.split(',')[0]);
    }
    if (from === 'server' && curve) view.group = Number(curve);
    if (from === 'client' && typeList.includes(1)) {
      view.sni = sni || undefined;
      view.alpnOffered = (alpnStr ?? '').split(',').filter((x) => x !== '');
    }
    if (method) view.requests.push(`${method} ${uri}`);
  }
  return view;
}

describe('tshark agrees with our trace and key log', () => {
  const skip = tsharkUsable();
  for (const leg of [
    { version: 'TLSv1.2' as const, suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', group: 'secp256r1' as const },
    { version: 'TLSv1.3' as const, suite: 'TLS_AES_256_GCM_SHA384', group: 'x25519' as const },
  ]) {
    it(`sees our ${leg.version} session as we do (messages, suite, group, SNI, ALPN, decrypted request)`, { timeout: 45_000 }, async (t) => {
      if (skip) return t.skip(skip);
      const dir = mkdtempSync(join(tmpdir(), 'ts-tls-tshark-'));
      const serverSteps: Step[] = [];
      const srv = await echoServer({
        trace: true,
        onSocket: (s) => s.on('trace', (e: TraceEvent) => e.kind === 'handshake' && e.message && serverSteps.push([e.direction === 'sent' ? 'server' : 'client', e.message[0]!])),
      });
      let capture: { stop: () => Promise<void> } | undefined;
      try {
        const pcap = join(dir, 'session.pcap');
        const keylog = join(dir, 'keys.log');
        capture = await startCapture(srv.port, pcap);
        const clientSteps: Step[] = [];
        let socket: TLSSocket | undefined;
        const agent = new Agent({
          ca: CA,
          minVersion: leg.version,
          maxVersion: leg.version,
          cipherSuites: [leg.suite],
          groups: [leg.group],
          ALPNProtocols: ['http/1.1'],
          trace: true,
          keepAlive: false,
          onSocket: (s) => {
            socket = s;
            s.on('keylog', (line: Buffer) => appendFileSync(keylog, line));
            s.on('trace', (e: TraceEvent) => e.kind === 'handshake' && e.message && clientSteps.push([e.direction === 'sent' ? 'client' : 'server', e.message[0]!]));
          },
        });
        const path = `/wireshark-probe-${leg.version}`;
        const res = await new Promise<IncomingMessage>((resolve, reject) => {
          const req = request(`${srv.url}${path}`, { agent, headers: { connection: 'close' } }, resolve);
          req.on('error', reject);
          req.end();
        });
        res.resume();
        await new Promise((r) => res.on('end', r));
        await new Promise((r) => setTimeout(r, 200));
        agent.destroy();
        await capture.stop();
        assert.ok(existsSync(pcap), 'capture written');

        const summary = socket!.getHandshakeSummary()!;
        const seen = dissect(pcap, keylog, srv.port);
        t.diagnostic(`tshark: ${seen.steps.map(([f, ty]) => `${f[0]}${ty}`).join(' ')}; suite 0x${(seen.suite ?? 0).toString(16)}, group ${seen.group}, ${seen.requests.join(', ')}`);
        // What tshark decrypted, message by message, is what our client traced and our server traced.
        assert.deepEqual(seen.steps, clientSteps, `tshark ${JSON.stringify(seen.steps)} vs our trace ${JSON.stringify(clientSteps)}`);
        assert.deepEqual(serverSteps, clientSteps, 'the peer saw the same messages');
        assert.ok(clientSteps.some(([, ty]) => ty === 20), 'Finished decrypted');
        assert.equal(seen.suite, cipherSuiteByName(leg.suite)!.id);
        assert.equal(seen.suite, summary.cipherSuite.id);
        assert.equal(seen.group, NamedGroup[leg.group]);
        assert.equal(seen.group, summary.group);
        assert.equal(seen.sni, 'localhost');
        assert.equal(seen.sni, summary.serverName);
        assert.deepEqual(seen.alpnOffered, ['http/1.1']);
        assert.equal(summary.alpnProtocol, 'http/1.1');
        assert.deepEqual(seen.requests, [`GET ${path}`], 'the HTTP request, decrypted with our key log');
      } finally {
        // Whatever failed (the TLS leg, an assertion), the capture stops: a live tshark would hang npm test.
        await capture?.stop();
        await srv.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
