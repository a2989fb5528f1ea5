/**
 * npm run bench: ts-tls against node:tls, side by side, in one run.
 *
 *   npm run bench                     full run (~10 minutes on 2 cores), markdown table on stdout
 *   npm run bench -- --quick          fewer, shorter rounds (< 2 minutes)
 *   npm run bench -- --smoke          the tiniest run of every scenario (seconds; what npm test runs)
 *   npm run bench -- --json           JSON on stdout instead of the table (one object per scenario)
 *   npm run bench -- --json=out.json  the table on stdout and the JSON in a file
 *   npm run bench -- --only=full,engine   scenarios whose id contains one of these
 *   npm run bench -- --impl=ts        measure one implementation only (for profiling)
 *   npm run bench -- --cpu-prof[=DIR] write V8 CPU profiles of the worker processes (default DIR: $TMPDIR/ts-tls-profiles);
 *                                     summarise one with node dist/bench/profile.js FILE
 *
 * Client and server run in two worker processes (child_process.fork of
 * worker.js) so their costs never share an event loop; this process only
 * orchestrates. Rounds alternate ts-tls and node:tls; each figure is the
 * median of the rounds, with min–max alongside.
 *
 * Handshake and bulk figures are per CPU-second of the side under test (its
 * process's user + system time): on two cores the peer can be the bottleneck,
 * and a wall-clock rate would then measure the peer. Wall-clock rates are
 * reported next to them.
 */
import { nativeCrypto } from '../src/crypto/native.js';
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GROUPS,
  errorMessage,
  median,
  projectRoot,
  summarize,
  type BulkScenario,
  type CpuSample,
  type EngineScenario,
  type HandshakeScenario,
  type Impl,
  type Measured,
  type MemSample,
  type MemoryScenario,
  type Reply,
  type Request,
  type Scenario,
  type Summary,
  type TlsParams,
  type TtfbScenario,
} from './common.js';

// ----------------------------------------------------------------------------- settings

interface Settings {
  readonly mode: 'full' | 'quick' | 'smoke';
  readonly rounds: number;
  readonly handshakeMs: number;
  readonly warmupMs: number;
  readonly concurrency: number;
  readonly bulkMs: number;
  /** Bytes of the calibration (warm-up) transfer; 0: no calibration, send bulkFixedBytes. */
  readonly bulkCalibrationBytes: number;
  readonly bulkFixedBytes: number;
  readonly memConnections: number;
  readonly memRounds: number;
  readonly ttfbCount: number;
  readonly engineMs: number;
}

const SETTINGS: Record<Settings['mode'], Settings> = {
  full: { mode: 'full', rounds: 5, handshakeMs: 1000, warmupMs: 300, concurrency: 8, bulkMs: 1000, bulkCalibrationBytes: 8 << 20, bulkFixedBytes: 0, memConnections: 1000, memRounds: 3, ttfbCount: 40, engineMs: 1000 },
  quick: { mode: 'quick', rounds: 3, handshakeMs: 150, warmupMs: 300, concurrency: 8, bulkMs: 150, bulkCalibrationBytes: 1 << 20, bulkFixedBytes: 0, memConnections: 1000, memRounds: 1, ttfbCount: 8, engineMs: 150 },
  smoke: { mode: 'smoke', rounds: 1, handshakeMs: 10, warmupMs: 0, concurrency: 2, bulkMs: 0, bulkCalibrationBytes: 0, bulkFixedBytes: 64 << 10, memConnections: 4, memRounds: 1, ttfbCount: 2, engineMs: 10 },
};

interface Cli {
  settings: Settings;
  json: boolean | string;
  only: string[] | undefined;
  impls: Impl[];
  /** Directory for worker CPU profiles, or undefined. */
  cpuProf: string | undefined;
}

const USAGE = `usage: npm run bench -- [--quick | --smoke] [--rounds=N] [--only=ID,ID...] [--impl=ts|node]
                        [--json | --json=FILE] [--cpu-prof[=DIR]]
  --quick        3 short rounds (under 2 minutes); the default is the full run (~8 minutes)
  --smoke        every scenario once, a few seconds (what npm test runs); no timing meaning
  --rounds=N     rounds per implementation
  --only=...     scenarios whose id contains one of these (e.g. full-,bulk-aes-128-gcm-16k-send,memory-)
  --impl=ts      run one implementation only (for profiles)
  --json[=FILE]  the figures as JSON on stdout (or in FILE, with the table on stdout)
  --cpu-prof     write worker CPU profiles (summarise with node dist/bench/profile.js)
  --help         this text`;

const FLAGS = new Set(['--quick', '--smoke', '--json', '--cpu-prof', '--help', '-h']);
const VALUED = ['--rounds', '--only', '--impl', '--json', '--cpu-prof'];

function parseCli(argv: readonly string[]): Cli {
  // An unknown flag must not silently start an eight-minute run.
  for (const a of argv) {
    if (FLAGS.has(a) || VALUED.some((f) => a.startsWith(f + '='))) continue;
    process.stderr.write(`bench: unknown argument ${JSON.stringify(a)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const has = (f: string): boolean => argv.includes(f);
  const value = (f: string): string | undefined => argv.find((a) => a.startsWith(f + '='))?.slice(f.length + 1);
  const mode = has('--smoke') ? 'smoke' : has('--quick') ? 'quick' : 'full';
  let settings = SETTINGS[mode];
  const rounds = value('--rounds');
  if (rounds) settings = { ...settings, rounds: Number(rounds) };
  const impl = value('--impl');
  return {
    settings,
    json: value('--json') ?? has('--json'),
    only: value('--only')?.split(',').filter((s) => s.length > 0),
    impls: impl === 'ts' ? ['ts'] : impl === 'node' ? ['node'] : ['ts', 'node'],
    cpuProf: value('--cpu-prof') ?? (has('--cpu-prof') ? join(os.tmpdir(), 'ts-tls-profiles') : undefined),
  };
}

const cli = parseCli(process.argv.slice(2));
const S = cli.settings;
const log = (s: string): void => void process.stderr.write(s + '\n');

// ----------------------------------------------------------------------------- workers

const here = dirname(fileURLToPath(import.meta.url));

class Worker {
  private child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: Promise<void>;

  constructor(readonly name: string) {
    const execArgv = ['--expose-gc'];
    if (cli.cpuProf) {
      mkdirSync(cli.cpuProf, { recursive: true });
      execArgv.push('--cpu-prof', '--cpu-prof-dir', cli.cpuProf, '--cpu-prof-name', `${name}-${Date.now()}-${process.pid}.cpuprofile`);
    }
    this.child = fork(join(here, 'worker.js'), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: { id: number; reply: Reply }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.reply.ok) p.resolve(m.reply.value);
      else p.reject(new Error(m.reply.error));
    });
    this.child.on('error', () => {}); // a send racing the child's exit; 'exit' below settles the calls
    this.exited = new Promise((resolve) =>
      this.child.once('exit', () => {
        for (const p of this.pending.values()) p.reject(new Error(`worker ${name} exited`));
        this.pending.clear();
        resolve();
      }),
    );
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.connected;
  }

  call<T>(req: Request, timeoutMs = 60_000): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`worker ${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${req.op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, req });
    });
  }

  /** Exit cleanly (CPU profiles are written on a clean exit), or kill after a grace period. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.call({ op: 'exit' }, 2000).catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

let serverW = new Worker('server');
let clientW = new Worker('client');

/** After a hang or a crash, start over with fresh workers so later scenarios are unaffected. */
async function restartWorkers(): Promise<void> {
  log('    (restarting the worker processes)');
  await Promise.all([serverW.stop(), clientW.stop()]);
  serverW = new Worker('server');
  clientW = new Worker('client');
}

/**
 * Memory rounds each want a fresh process; starting one costs ~0.5 s here, so
 * one is kept started ahead (idle until used).
 */
let spare: Worker | undefined;
function freshWorker(): Worker {
  const w = spare ?? new Worker('mem');
  spare = new Worker('mem');
  return w;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ----------------------------------------------------------------------------- results

type Better = 'higher' | 'lower';

export interface ScenarioResult {
  scenario: string;
  title: string;
  group: string;
  unit: string;
  better: Better;
  tsTls: number | null;
  nodeTls: number | null;
  /** tsTls / nodeTls (whatever the unit: > 1 is better for rates, worse for memory and latency). */
  ratio: number | null;
  note?: string;
  spread: { tsTls: Summary | null; nodeTls: Summary | null; forge?: Summary | null };
  /** Wall-clock rates beside the per-CPU-second ones (handshakes and bulk). */
  wall?: { unit: string; tsTls: number | null; nodeTls: number | null; ratio: number | null };
  /** node-forge, the pure-JavaScript baseline (engine scenarios where it can run). */
  forge?: number | null;
  forgeNote?: string;
  /** Extra figures (e.g. heap bytes per connection). */
  detail?: Record<string, unknown>;
}

type Who = Impl | 'forge';

interface RoundValue {
  value: number;
  wall?: number;
  detail?: Record<string, number>;
}

/**
 * Run warm-up then `rounds` alternating rounds of each implementation. An
 * implementation that fails stops being measured, and its reason is kept.
 */
async function alternate(
  who: readonly Who[],
  rounds: number,
  warmup: ((w: Who) => Promise<void>) | undefined,
  round: (w: Who) => Promise<RoundValue>,
): Promise<Map<Who, { values: RoundValue[]; error?: string }>> {
  const out = new Map<Who, { values: RoundValue[]; error?: string }>();
  for (const w of who) out.set(w, { values: [] });
  const fail = (w: Who, e: unknown): void => {
    const o = out.get(w)!;
    o.error = errorMessage(e);
    log(`    ${w}: ${o.error}`);
  };
  if (warmup) {
    for (const w of who) {
      try {
        await warmup(w);
      } catch (e) {
        fail(w, e);
        if (/timed out/.test(errorMessage(e)) || !serverW.alive || !clientW.alive) await restartWorkers();
      }
    }
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? who : [...who].reverse();
    for (const w of order) {
      const o = out.get(w)!;
      if (o.error !== undefined) continue;
      try {
        o.values.push(await round(w));
      } catch (e) {
        fail(w, e);
        if (/timed out/.test(errorMessage(e)) || !serverW.alive || !clientW.alive) await restartWorkers();
      }
    }
  }
  return out;
}

function toResult(
  s: Scenario,
  group: string,
  unit: string,
  better: Better,
  m: Map<Who, { values: RoundValue[]; error?: string }>,
  wallUnit?: string,
): ScenarioResult {
  const sum = (w: Who): Summary | null => {
    const o = m.get(w);
    return o && o.error === undefined && o.values.length > 0 ? summarize(o.values.map((v) => v.value)) : null;
  };
  const wallMed = (w: Who): number | null => {
    const o = m.get(w);
    if (!o || o.error !== undefined || o.values.length === 0 || o.values[0]!.wall === undefined) return null;
    return median(o.values.map((v) => v.wall!));
  };
  const ts = sum('ts');
  const node = sum('node');
  const notes: string[] = [];
  const tsErr = m.get('ts')?.error;
  const nodeErr = m.get('node')?.error;
  if (!m.has('ts')) notes.push('ts-tls not measured in this run (--impl)');
  else if (tsErr !== undefined) notes.push(`ts-tls: ${tsErr}`);
  if (!m.has('node')) notes.push('node:tls not measured in this run (--impl)');
  else if (nodeErr !== undefined) notes.push(`node:tls: ${nodeErr}`);
  const r: ScenarioResult = {
    scenario: s.id,
    title: s.title,
    group,
    unit,
    better,
    tsTls: ts?.median ?? null,
    nodeTls: node?.median ?? null,
    ratio: ts && node && node.median !== 0 && Number.isFinite(ts.median / node.median) ? ts.median / node.median : null,
    spread: { tsTls: ts, nodeTls: node },
  };
  if (wallUnit) {
    const wt = wallMed('ts');
    const wn = wallMed('node');
    r.wall = { unit: wallUnit, tsTls: wt, nodeTls: wn, ratio: wt !== null && wn !== null ? wt / wn : null };
  }
  if (m.has('forge')) {
    const f = sum('forge');
    r.forge = f?.median ?? null;
    r.spread.forge = f;
    const fe = m.get('forge')!.error;
    r.forgeNote = fe !== undefined ? `node-forge: ${fe}` : 'node-forge: its own TLS 1.1, RSA key exchange, AES-128-CBC + HMAC-SHA1 (the strongest it has), against itself';
  }
  const details: Record<string, unknown> = {};
  for (const w of ['ts', 'node'] as const) {
    const vals = m.get(w)?.values ?? [];
    if (vals.length > 0 && vals[0]!.detail) {
      const keys = Object.keys(vals[0]!.detail);
      details[w === 'ts' ? 'tsTls' : 'nodeTls'] = Object.fromEntries(keys.map((k) => [k, median(vals.map((v) => v.detail![k]!))]));
    }
  }
  if (Object.keys(details).length > 0) r.detail = details;
  if (notes.length > 0) r.note = notes.join('; ');
  return r;
}

// ----------------------------------------------------------------------------- verification probe

/**
 * Do ts-tls clients verify the server chain yet? node:tls always does (with
 * the test CA). If ts-tls's verifier cannot accept the test chain, its
 * clients run with rejectUnauthorized: false and the rows say so.
 */
let tsVerifies = false;
let tsVerifyNote: string | undefined;

async function probeVerification(): Promise<void> {
  const t: TlsParams = { version: 'TLSv1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', cert: 'p256', group: 'X25519:P-256' };
  try {
    const { port } = await serverW.call<{ port: number }>({ op: 'serve', impl: 'node', tls: t, mode: 'handshake' });
    const r = await clientW.call<{ verified: boolean; reason?: string }>({ op: 'probeVerify', port, tls: t }, 15_000);
    await serverW.call({ op: 'unserve' });
    tsVerifies = r.verified;
    if (!r.verified) tsVerifyNote = `ts-tls client ran with rejectUnauthorized: false (its verifier refused the test chain: ${r.reason}), while node:tls verified it`;
  } catch (e) {
    tsVerifyNote = `ts-tls client ran with rejectUnauthorized: false (verification probe failed: ${errorMessage(e)})`;
  }
}

const rejectUnauthorizedFor = (impl: Impl): boolean => impl === 'node' || tsVerifies;

// ----------------------------------------------------------------------------- scenario runners

function roleImpls(role: 'server' | 'client', tested: Impl): { server: Impl; client: Impl } {
  return role === 'server' ? { server: tested, client: 'node' } : { server: 'node', client: tested };
}

/** Prefer the error the implementation under test saw (the peer only sees an alert). */
async function explain(e: unknown, role: 'server' | 'client'): Promise<Error> {
  if (role === 'server') {
    try {
      const c = await serverW.call<{ lastError?: string }>({ op: 'connections' }, 5000);
      if (c.lastError) return new Error(c.lastError);
    } catch {
      // fall through
    }
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** Implementations whose server issued a ticket in a session-ID scenario (so the client resumed by ticket). */
const ticketNotes = new Set<Who>();

async function runHandshake(s: HandshakeScenario): Promise<Map<Who, { values: RoundValue[]; error?: string }>> {
  ticketNotes.clear();
  const once = async (w: Who, durationMs: number): Promise<RoundValue> => {
    const impls = roleImpls(s.role, w as Impl);
    const { port } = await serverW.call<{ port: number }>({ op: 'serve', impl: impls.server, tls: s.tls, mode: 'handshake', ...(s.resume ? { resume: s.resume } : {}) });
    try {
      const c0 = await serverW.call<CpuSample>({ op: 'cpu' });
      let m: Measured;
      try {
        m = await clientW.call<Measured>(
          { op: 'handshakes', impl: impls.client, tls: s.tls, port, durationMs, concurrency: S.concurrency, rejectUnauthorized: rejectUnauthorizedFor(impls.client), ...(s.resume ? { resume: s.resume } : {}) },
          durationMs + 30_000,
        );
      } catch (e) {
        throw await explain(e, s.role);
      }
      const c1 = await serverW.call<CpuSample>({ op: 'cpu' });
      const srv = await serverW.call<{ established: number }>({ op: 'connections' });
      if (m.count === 0) throw new Error('no handshake completed');
      // The server must have completed (nearly) every handshake the client did (+1: the session donor).
      if (srv.established < m.count * 0.95) throw new Error(`the server completed only ${srv.established} of ${m.count} handshakes`);
      if (s.resume && (m.notResumed ?? 0) > m.count * 0.05) {
        throw new Error(`session not resumed (${m.notResumed} of ${m.count} handshakes were full handshakes)`);
      }
      if (s.resume === 'sessionId' && m.ticketIssued === true) ticketNotes.add(w);
      const cpuUs = s.role === 'server' ? c1.cpuUs - c0.cpuUs : m.cpuUs;
      return { value: m.count / (cpuUs / 1e6), wall: m.count / (m.wallMs / 1e3), detail: { cpuMsPerHandshake: cpuUs / 1e3 / m.count } };
    } finally {
      await serverW.call({ op: 'unserve' });
    }
  };
  return alternate(cli.impls, S.rounds, S.warmupMs > 0 ? async (w) => void (await once(w, S.warmupMs)) : undefined, (w) => once(w, S.handshakeMs));
}

function bulkBytes(rateMBps: number, writeSize: number, ms: number): number {
  const bytes = Math.max(256 << 10, Math.min(4 * 2 ** 30, rateMBps * 1e6 * (ms / 1e3)));
  return Math.ceil(bytes / writeSize) * writeSize;
}

async function runBulk(s: BulkScenario): Promise<Map<Who, { values: RoundValue[]; error?: string }>> {
  const total = new Map<Who, number>();
  const once = async (w: Who, totalBytes: number): Promise<RoundValue & { mbps: number }> => {
    const { port } = await serverW.call<{ port: number }>({ op: 'serve', impl: 'node', tls: s.tls, mode: 'bulk' });
    try {
      const m = await clientW.call<Measured>(
        { op: 'bulk', impl: w as Impl, tls: s.tls, port, direction: s.direction, writeSize: s.writeSize, totalBytes, rejectUnauthorized: rejectUnauthorizedFor(w as Impl) },
        120_000,
      );
      const mbps = m.count / 1e6 / (m.wallMs / 1e3);
      return { value: m.count / 1e6 / (m.cpuUs / 1e6), wall: mbps, mbps, detail: { bytes: m.count } };
    } finally {
      await serverW.call({ op: 'unserve' });
    }
  };
  // Rounds are sized in bytes: the warm-up measures the rate, and each round re-sizes the next
  // one from its own rate, so rounds last about S.bulkMs whatever the implementation's speed.
  const sized = async (w: Who, bytes: number): Promise<RoundValue> => {
    const r = await once(w, bytes);
    if (S.bulkCalibrationBytes > 0) total.set(w, bulkBytes(r.mbps, s.writeSize, S.bulkMs));
    return r;
  };
  const warmup = S.bulkCalibrationBytes > 0 ? async (w: Who) => void (await sized(w, S.bulkCalibrationBytes)) : undefined;
  return alternate(cli.impls, S.rounds, warmup, (w) => sized(w, total.get(w) ?? S.bulkFixedBytes));
}

async function runMemory(s: MemoryScenario): Promise<Map<Who, { values: RoundValue[]; error?: string }>> {
  const n = S.memConnections;
  const warm = Math.max(1, Math.min(100, Math.floor(n / 10)));
  const once = async (w: Who): Promise<RoundValue> => {
    const tested = w as Impl;
    const mem = freshWorker();
    try {
      if (s.role === 'server') {
        // A fresh server process under test; the long-lived client worker is the node:tls peer.
        const { port } = await mem.call<{ port: number }>({ op: 'serve', impl: tested, tls: s.tls, mode: 'hold' });
        const open = { op: 'open', impl: 'node', tls: s.tls, port, concurrency: 16, rejectUnauthorized: true } as const;
        await clientW.call({ ...open, count: warm }, 60_000);
        await clientW.call({ op: 'closeAll' });
        await sleep(S.mode === 'smoke' ? 0 : S.mode === 'quick' ? 100 : 200);
        const before = await mem.call<MemSample>({ op: 'mem' });
        try {
          await clientW.call({ ...open, count: n }, 300_000);
        } catch (e) {
          const c = await mem.call<{ lastError?: string }>({ op: 'connections' });
          throw new Error(c.lastError ?? errorMessage(e));
        }
        for (let i = 0; i < 100; i++) {
          const c = await mem.call<{ established: number }>({ op: 'connections' });
          if (c.established >= n + warm) break;
          await sleep(20);
        }
        await sleep(S.mode === 'smoke' ? 0 : S.mode === 'quick' ? 150 : 300);
        const after = await mem.call<MemSample>({ op: 'mem' });
        await clientW.call({ op: 'closeAll' });
        return memValue(before, after, n);
      }
      // A fresh client process under test against the long-lived server worker (node:tls).
      const { port } = await serverW.call<{ port: number }>({ op: 'serve', impl: 'node', tls: s.tls, mode: 'hold' });
      try {
        const open = { op: 'open', impl: tested, tls: s.tls, port, concurrency: 16, rejectUnauthorized: rejectUnauthorizedFor(tested) } as const;
        await mem.call({ ...open, count: warm }, 60_000);
        await mem.call({ op: 'closeAll' });
        await sleep(S.mode === 'smoke' ? 0 : S.mode === 'quick' ? 100 : 200);
        const before = await mem.call<MemSample>({ op: 'mem' });
        await mem.call({ ...open, count: n }, 300_000);
        await sleep(S.mode === 'smoke' ? 0 : S.mode === 'quick' ? 150 : 300);
        const after = await mem.call<MemSample>({ op: 'mem' });
        await mem.call({ op: 'closeAll' });
        return memValue(before, after, n);
      } finally {
        await serverW.call({ op: 'unserve' });
      }
    } finally {
      await mem.stop();
    }
  };
  return alternate(cli.impls, S.memRounds, undefined, once);
}

function memValue(before: MemSample, after: MemSample, n: number): RoundValue {
  const per = (k: keyof MemSample): number => (after[k] - before[k]) / n / 1024;
  return { value: per('rss'), detail: { heapKiB: per('heapUsed'), externalKiB: per('external'), arrayBuffersKiB: per('arrayBuffers') } };
}

async function runTtfb(s: TtfbScenario): Promise<Map<Who, { values: RoundValue[]; error?: string }>> {
  const once = async (w: Who, count: number): Promise<RoundValue> => {
    const impls = roleImpls(s.role, w as Impl);
    const { port } = await serverW.call<{ port: number }>({ op: 'serve', impl: impls.server, tls: s.tls, mode: 'ttfb' });
    try {
      let m: Measured;
      try {
        m = await clientW.call<Measured>({ op: 'ttfb', impl: impls.client, tls: s.tls, port, count, rejectUnauthorized: rejectUnauthorizedFor(impls.client) }, 60_000);
      } catch (e) {
        throw await explain(e, s.role);
      }
      const l = m.latenciesMs ?? [];
      return { value: median(l), detail: { p90: [...l].sort((a, b) => a - b)[Math.floor(l.length * 0.9)] ?? NaN } };
    } finally {
      await serverW.call({ op: 'unserve' });
    }
  };
  return alternate(cli.impls, S.rounds, S.warmupMs > 0 ? async (w) => void (await once(w, 3)) : undefined, (w) => once(w, S.ttfbCount));
}

async function runEngine(s: EngineScenario): Promise<Map<Who, { values: RoundValue[]; error?: string }>> {
  const who: Who[] = [...cli.impls, ...(s.forge && cli.impls.length === 2 ? (['forge'] as const) : [])];
  const total = new Map<Who, number>();
  const writeSize = s.writeSize ?? 16384;
  const once = async (w: Who, durationOrBytes: number): Promise<RoundValue & { rate: number }> => {
    const m = await clientW.call<Measured>(
      {
        op: 'engine',
        impl: w,
        what: s.what,
        tls: s.tls,
        durationMs: durationOrBytes,
        writeSize,
        totalBytes: durationOrBytes,
        rejectUnauthorized: w === 'ts' ? tsVerifies : true,
      },
      120_000,
    );
    const rate = s.what === 'handshake' ? m.count / (m.wallMs / 1e3) : m.count / 1e6 / (m.wallMs / 1e3);
    return { value: rate, rate, detail: { cpuPerWall: m.cpuUs / 1e3 / m.wallMs } };
  };
  if (s.what === 'handshake') {
    return alternate(who, S.rounds, S.warmupMs > 0 ? async (w) => void (await once(w, S.warmupMs)) : undefined, (w) => once(w, S.engineMs));
  }
  const sized = async (w: Who, bytes: number): Promise<RoundValue> => {
    const r = await once(w, bytes);
    if (S.bulkCalibrationBytes > 0) total.set(w, bulkBytes(r.rate, writeSize, S.engineMs));
    return r;
  };
  const warmup = S.bulkCalibrationBytes > 0 ? async (w: Who) => void (await sized(w, S.bulkCalibrationBytes / (w === 'forge' ? 8 : 1))) : undefined;
  return alternate(who, S.rounds, warmup, (w) => sized(w, total.get(w) ?? S.bulkFixedBytes));
}

/**
 * Before the first measured row: run handshakes of both versions through both implementations in
 * both roles, so the long-lived workers' JIT is warm and the first rows are not penalised.
 */
async function warmWorkers(ms: number): Promise<void> {
  const scenarios = GROUPS[0]!.scenarios.filter((s): s is HandshakeScenario => s.kind === 'handshake' && s.tls.cert === 'p256');
  for (const s of scenarios) {
    for (const w of cli.impls) {
      const impls = roleImpls(s.role, w);
      try {
        const { port } = await serverW.call<{ port: number }>({ op: 'serve', impl: impls.server, tls: s.tls, mode: 'handshake' });
        await clientW.call({ op: 'handshakes', impl: impls.client, tls: s.tls, port, durationMs: ms, concurrency: S.concurrency, rejectUnauthorized: rejectUnauthorizedFor(impls.client) }, ms + 30_000);
      } catch {
        // a failing implementation is reported by its own rows
      } finally {
        await serverW.call({ op: 'unserve' }).catch(() => {});
      }
    }
  }
}

async function runScenario(s: Scenario, group: string): Promise<ScenarioResult> {
  switch (s.kind) {
    case 'handshake': {
      const r = toResult(s, group, 'handshakes/s per CPU-second', 'higher', await runHandshake(s), 'handshakes/s');
      for (const w of ticketNotes) {
        const n = `${w === 'ts' ? 'ts-tls' : 'node:tls'} server issued tickets although asked for session IDs only (${w === 'ts' ? 'createServer() has no option to turn them off' : 'SSL_OP_NO_TICKET ignored'}), so this row measured ticket resumption`;
        r.note = r.note ? `${r.note}; ${n}` : n;
      }
      return r;
    }
    case 'bulk':
      return toResult(s, group, 'MB/s per CPU-second', 'higher', await runBulk(s), 'MB/s');
    case 'memory':
      return toResult(s, group, 'KiB RSS per connection', 'lower', await runMemory(s));
    case 'ttfb':
      return toResult(s, group, 'ms (median)', 'lower', await runTtfb(s));
    case 'engine':
      return toResult(s, group, s.what === 'handshake' ? 'handshakes/s' : 'MB/s', 'higher', await runEngine(s));
  }
}

// ----------------------------------------------------------------------------- output

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x).toLocaleString('en-US');
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

const fmtRatio = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}×`);
const fmtSpread = (s: Summary | null | undefined): string => (s ? `${fmt(s.min)}–${fmt(s.max)}` : '—');

function na(r: ScenarioResult, which: 'tsTls' | 'nodeTls'): string {
  const v = r[which];
  if (v !== null) return fmt(v);
  const prefix = which === 'tsTls' ? 'ts-tls: ' : 'node:tls: ';
  const reason = (r.note ?? '').split('; ').find((n) => n.startsWith(prefix));
  return reason ? `n/a (${reason.slice(prefix.length).replace(/\|/g, '/').slice(0, 90)})` : 'n/a';
}

function machine(): Record<string, string> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: projectRoot, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (src/ has uncommitted changes)';
  } catch {
    // not a git checkout
  }
  const cpus = os.cpus();
  return {
    date: '',
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    'ts-tls': commit,
    'ts-tls crypto': nativeCrypto.available
      ? 'node:crypto + native addon (record AEAD, HMAC, X25519 on reusable OpenSSL contexts)'
      : `node:crypto only (native addon ${nativeCrypto.reason})`,
    mode: `${S.mode} (${S.rounds} rounds per implementation, alternating)`,
    'load average at start / end': `${loadAtStart} / ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on the machine skews wall-clock figures more than per-CPU ones)`,
  };
}

function markdown(results: readonly ScenarioResult[], m: Record<string, string>, seconds: number): string {
  const lines: string[] = [];
  lines.push(`## ts-tls vs node:tls — ${S.mode} run`, '');
  for (const [k, v] of Object.entries(m)) lines.push(`- ${k}: ${v}`);
  lines.push(`- duration: ${seconds.toFixed(0)} s`, '');
  lines.push(
    'Ratio = ts-tls / node:tls (higher is better for rates, lower for memory and latency). Values are medians of the rounds; spread is min–max.',
    'Handshake and bulk rates are per CPU-second of the process under test (the peer is always node:tls); wall-clock rates are in the last column.',
    '',
  );
  for (const g of GROUPS) {
    const rs = results.filter((r) => r.group === g.title);
    if (rs.length === 0) continue;
    const engine = rs.some((r) => r.forge !== undefined);
    const wall = rs.some((r) => r.wall !== undefined);
    lines.push(`### ${g.title}`, '');
    const head = ['Scenario', 'ts-tls', 'node:tls', 'ratio', 'unit', 'spread ts-tls', 'spread node:tls'];
    if (wall) head.push('wall-clock ts-tls / node:tls');
    if (engine) head.push('node-forge');
    lines.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 || i === 4 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const r of rs) {
      const row = [r.title, na(r, 'tsTls'), na(r, 'nodeTls'), fmtRatio(r.ratio), r.unit, fmtSpread(r.spread.tsTls), fmtSpread(r.spread.nodeTls)];
      if (wall) row.push(r.wall ? `${fmt(r.wall.tsTls)} / ${fmt(r.wall.nodeTls)} ${r.wall.unit}` : '—');
      if (engine) row.push(r.forge !== undefined ? fmt(r.forge) : '—');
      lines.push(`| ${row.join(' | ')} |`);
    }
    const notes = [...new Set(rs.flatMap((r) => (r.note ? r.note.split('; ').filter((n) => !n.startsWith('ts-tls: ') && !n.startsWith('node:tls: ')) : [])))];
    if (engine) notes.push(...new Set(rs.filter((r) => r.forgeNote).map((r) => r.forgeNote!)));
    if (notes.length > 0) lines.push('', ...notes.map((n) => `Note: ${n}.`));
    lines.push('');
  }
  lines.push('### Targets', '', '| target | worst ratio in this run | met |', '| --- | ---: | :---: |');
  const target = (name: string, prefix: string, goal: number, better: Better): void => {
    const rs = results.filter((r) => r.scenario.startsWith(prefix));
    const ratios = rs.map((r) => r.ratio).filter((x): x is number => x !== null);
    const missing = rs.length - ratios.length;
    const worst = ratios.length === 0 ? null : better === 'higher' ? Math.min(...ratios) : Math.max(...ratios);
    const met = worst === null ? '—' : (better === 'higher' ? worst >= goal : worst <= goal) && missing === 0 ? 'yes' : 'no';
    // A miss that two decimals would round up to the goal (0.995× as "1.00×") is printed with three.
    const shown = worst !== null && met === 'no' && worst.toFixed(2) === goal.toFixed(2) ? `${worst.toFixed(3)}×` : fmtRatio(worst);
    lines.push(`| ${name} | ${shown}${missing > 0 ? ` (${missing} of ${rs.length} rows n/a)` : ''} | ${met} |`);
  };
  target('full handshakes ≥ 1.2×', 'full-', 1.2, 'higher');
  target('resumed handshakes ≥ 2×', 'resumed-', 2, 'higher');
  target('bulk MB/s ≥ 1.0×', 'bulk-', 1.0, 'higher');
  target('memory per connection ≤ 1.0×', 'memory-', 1.0, 'lower');
  lines.push('');
  return lines.join('\n');
}

// ----------------------------------------------------------------------------- main

const loadAtStart = os.loadavg().map((x) => x.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const t0 = Date.now();
  const selected = GROUPS.flatMap((g) => g.scenarios.map((s) => ({ s, group: g.title }))).filter(
    ({ s }) => !cli.only || cli.only.some((o) => s.id.includes(o)),
  );
  if (selected.length === 0) {
    const ids = GROUPS.flatMap((g) => g.scenarios.map((s) => s.id));
    log(`bench: --only=${cli.only?.join(',') ?? ''} matches no scenario; the ids are:\n  ${ids.join('\n  ')}`);
    process.exit(2);
  }
  const m = machine(); // the commit and tree state the workers load, taken before they run
  log(`bench: ${S.mode} run, ${selected.length} scenarios, implementations: ${cli.impls.join(', ')}`);
  try {
    await Promise.all([serverW.call({ op: 'ping' }, 30_000), clientW.call({ op: 'ping' }, 30_000)]);
  } catch (e) {
    throw new Error(`the worker processes did not start (${errorMessage(e)}); is the build complete?`);
  }
  await probeVerification();
  log(tsVerifies ? 'bench: ts-tls clients verify the server chain' : `bench: ${tsVerifyNote}`);
  if (S.warmupMs > 0) await warmWorkers(S.warmupMs * 2);
  const results: ScenarioResult[] = [];
  let i = 0;
  for (const { s, group } of selected) {
    i++;
    const ts0 = Date.now();
    log(`[${i}/${selected.length}] ${s.title}`);
    let r: ScenarioResult;
    try {
      r = await runScenario(s, group);
    } catch (e) {
      r = toResult(s, group, '', 'higher', new Map([['ts', { values: [], error: errorMessage(e) }], ['node', { values: [], error: errorMessage(e) }]]));
    }
    const clientSideTs = (s.kind === 'handshake' || s.kind === 'ttfb' || s.kind === 'memory') && s.role === 'client';
    if ((clientSideTs || s.kind === 'bulk' || s.kind === 'engine') && !tsVerifies && tsVerifyNote && r.tsTls !== null) {
      r.note = r.note ? `${r.note}; ${tsVerifyNote}` : tsVerifyNote;
    }
    results.push(r);
    log(`    ts-tls ${fmt(r.tsTls)}  node:tls ${fmt(r.nodeTls)}  ratio ${fmtRatio(r.ratio)}  ${r.unit}${r.forge !== undefined ? `  node-forge ${fmt(r.forge)}` : ''}  (${((Date.now() - ts0) / 1000).toFixed(1)} s)`);
  }
  await Promise.all([serverW.stop(), clientW.stop(), spare?.stop()]);
  const seconds = (Date.now() - t0) / 1000;
  m['date'] = new Date().toISOString();
  if (cli.json === true) {
    log(Object.entries(m).map(([k, v]) => `${k}: ${v}`).join('\n'));
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  } else {
    process.stdout.write(markdown(results, m, seconds) + '\n');
    if (typeof cli.json === 'string') {
      writeFileSync(cli.json, JSON.stringify(results, null, 2) + '\n');
      log(`bench: JSON written to ${cli.json}`);
    }
  }
  if (cli.cpuProf) log(`bench: CPU profiles in ${cli.cpuProf} (summarise one with: node dist/bench/profile.js ${cli.cpuProf}/<file>.cpuprofile)`);
}

main().catch((e: unknown) => {
  log(`bench failed: ${errorMessage(e)}`);
  void Promise.all([serverW.stop(), clientW.stop(), spare?.stop()]).finally(() => process.exit(1));
});
