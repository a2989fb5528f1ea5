/**
 * What the benchmark measures, shared by the orchestrator (run.ts) and its
 * worker processes (worker.ts): scenario shapes, the TLS parameters each one
 * pins on both sides, the test PKI, and small statistics helpers.
 *
 * Every scenario pins version, cipher suite, key-exchange group and
 * certificate on *both* ends, so a ts-tls round and a node:tls round
 * negotiate exactly the same handshake.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Impl = 'ts' | 'node';
export type Version = 'TLSv1.2' | 'TLSv1.3';
export type CertName = 'p256' | 'rsa';
/** Which side of a connection the implementation under test plays (the other side is node:tls). */
export type Role = 'server' | 'client';
export type Resume = 'ticket' | 'sessionId';

/** TLS parameters one scenario pins on both ends. */
export interface TlsParams {
  readonly version: Version;
  /** IANA suite name (node:tls takes IANA names for TLS 1.3 and OpenSSL names for 1.2; see opensslSuite). */
  readonly suite: string;
  readonly cert: CertName;
  /**
   * Groups offered, node:tls spelling (ecdhCurve): x25519 for the key exchange, and P-256 too,
   * because a TLS 1.2 ECDSA P-256 certificate is only usable when the client lists its curve.
   */
  readonly group: 'X25519:P-256';
}

export interface HandshakeScenario {
  readonly kind: 'handshake';
  readonly id: string;
  readonly title: string;
  readonly role: Role;
  readonly tls: TlsParams;
  readonly resume?: Resume;
}

export interface BulkScenario {
  readonly kind: 'bulk';
  readonly id: string;
  readonly title: string;
  /** 'send': the implementation under test encrypts (client → node:tls server); 'receive': it decrypts. */
  readonly direction: 'send' | 'receive';
  readonly writeSize: number;
  readonly tls: TlsParams;
}

export interface MemoryScenario {
  readonly kind: 'memory';
  readonly id: string;
  readonly title: string;
  readonly role: Role;
  readonly tls: TlsParams;
}

export interface TtfbScenario {
  readonly kind: 'ttfb';
  readonly id: string;
  readonly title: string;
  readonly role: Role;
  readonly tls: TlsParams;
}

export interface EngineScenario {
  readonly kind: 'engine';
  readonly id: string;
  readonly title: string;
  readonly what: 'handshake' | 'bulk';
  readonly tls: TlsParams;
  readonly writeSize?: number;
  /** Also run node-forge (its own TLS 1.1 with RSA key exchange and AES-128-CBC-SHA, against itself). */
  readonly forge?: boolean;
}

export type Scenario = HandshakeScenario | BulkScenario | MemoryScenario | TtfbScenario | EngineScenario;

export interface ScenarioGroup {
  readonly title: string;
  readonly scenarios: readonly Scenario[];
}

const T13 = (cert: CertName, suite = 'TLS_AES_128_GCM_SHA256'): TlsParams => ({ version: 'TLSv1.3', suite, cert, group: 'X25519:P-256' });
const T12 = (suite: string, cert: CertName): TlsParams => ({ version: 'TLSv1.2', suite, cert, group: 'X25519:P-256' });

const HS_CONFIGS: readonly { name: string; tls: TlsParams }[] = [
  { name: 'TLS 1.3 x25519 + ECDSA P-256', tls: T13('p256') },
  { name: 'TLS 1.3 x25519 + RSA-2048', tls: T13('rsa') },
  { name: 'TLS 1.2 ECDHE-ECDSA (x25519, P-256)', tls: T12('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'p256') },
  { name: 'TLS 1.2 ECDHE-RSA (x25519, RSA-2048)', tls: T12('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'rsa') },
];

const RESUME_CONFIGS: readonly { name: string; tls: TlsParams; resume: Resume }[] = [
  { name: 'TLS 1.3 ticket (psk_dhe_ke)', tls: T13('p256'), resume: 'ticket' },
  { name: 'TLS 1.2 ticket', tls: T12('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'p256'), resume: 'ticket' },
  { name: 'TLS 1.2 session ID', tls: T12('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'p256'), resume: 'sessionId' },
];

const BULK_SUITES: readonly { name: string; tls: TlsParams }[] = [
  { name: 'AES-128-GCM', tls: T12('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'p256') },
  { name: 'AES-256-GCM', tls: T12('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'p256') },
  { name: 'ChaCha20-Poly1305', tls: T12('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'p256') },
];

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function buildGroups(): ScenarioGroup[] {
  const full: Scenario[] = [];
  for (const c of HS_CONFIGS) {
    for (const role of ['server', 'client'] as const) {
      full.push({ kind: 'handshake', id: `full-${slug(c.name)}-${role}`, title: `full handshake, ${c.name}, ts-tls as ${role}`, role, tls: c.tls });
    }
  }
  const resumed: Scenario[] = [];
  for (const c of RESUME_CONFIGS) {
    for (const role of ['server', 'client'] as const) {
      resumed.push({ kind: 'handshake', id: `resumed-${slug(c.name)}-${role}`, title: `resumed handshake, ${c.name}, ts-tls as ${role}`, role, tls: c.tls, resume: c.resume });
    }
  }
  const bulk: Scenario[] = [];
  for (const s of BULK_SUITES) {
    for (const writeSize of [16384, 1024]) {
      for (const direction of ['send', 'receive'] as const) {
        bulk.push({
          kind: 'bulk',
          id: `bulk-${slug(s.name)}-${writeSize / 1024}k-${direction}`,
          title: `bulk ${direction}, TLS 1.2 ${s.name}, ${writeSize / 1024} KiB writes`,
          direction,
          writeSize,
          tls: s.tls,
        });
      }
    }
  }
  for (const direction of ['send', 'receive'] as const) {
    bulk.push({
      kind: 'bulk',
      id: `bulk-tls13-aes-128-gcm-16k-${direction}`,
      title: `bulk ${direction}, TLS 1.3 AES-128-GCM, 16 KiB writes`,
      direction,
      writeSize: 16384,
      tls: T13('p256'),
    });
  }
  const conn: Scenario[] = [];
  const connConfigs = [
    { name: 'TLS 1.2 ECDHE-ECDSA', tls: T12('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'p256') },
    { name: 'TLS 1.3 ECDSA', tls: T13('p256') },
  ];
  for (const c of connConfigs) {
    for (const role of ['server', 'client'] as const) {
      conn.push({ kind: 'memory', id: `memory-${slug(c.name)}-${role}`, title: `memory per idle connection, ${c.name}, ts-tls as ${role}`, role, tls: c.tls });
    }
  }
  for (const c of connConfigs) {
    for (const role of ['server', 'client'] as const) {
      conn.push({ kind: 'ttfb', id: `ttfb-${slug(c.name)}-${role}`, title: `time to first application byte, ${c.name}, ts-tls as ${role}`, role, tls: c.tls });
    }
  }
  const engine: Scenario[] = [
    { kind: 'engine', what: 'handshake', id: 'engine-handshake-tls12-ecdhe-ecdsa', title: 'engine: full handshake, TLS 1.2 ECDHE-ECDSA', tls: T12('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'p256') },
    { kind: 'engine', what: 'handshake', id: 'engine-handshake-tls13-ecdsa', title: 'engine: full handshake, TLS 1.3 x25519 + ECDSA P-256', tls: T13('p256') },
    { kind: 'engine', what: 'handshake', id: 'engine-handshake-tls12-rsa-kx', title: 'engine: full handshake, TLS 1.2 RSA key exchange (RSA-2048)', tls: T12('TLS_RSA_WITH_AES_128_GCM_SHA256', 'rsa'), forge: true },
    { kind: 'engine', what: 'bulk', id: 'engine-bulk-tls12-aes-128-gcm-16k', title: 'engine: bulk, TLS 1.2 AES-128-GCM, 16 KiB writes', tls: T12('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'p256'), writeSize: 16384, forge: true },
    { kind: 'engine', what: 'bulk', id: 'engine-bulk-tls12-aes-128-gcm-1k', title: 'engine: bulk, TLS 1.2 AES-128-GCM, 1 KiB writes', tls: T12('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'p256'), writeSize: 1024, forge: true },
    { kind: 'engine', what: 'bulk', id: 'engine-bulk-tls13-aes-128-gcm-16k', title: 'engine: bulk, TLS 1.3 AES-128-GCM, 16 KiB writes', tls: T13('p256'), writeSize: 16384 },
  ];
  return [
    { title: 'Full handshakes (separate processes, loopback TCP)', scenarios: full },
    { title: 'Resumed handshakes', scenarios: resumed },
    { title: 'Bulk transfer (one connection, ts-tls client ↔ node:tls server)', scenarios: bulk },
    { title: 'Connections: memory and latency', scenarios: conn },
    { title: 'Engine alone (one process, in memory, no sockets)', scenarios: engine },
  ];
}

export const GROUPS: readonly ScenarioGroup[] = buildGroups();

/** OpenSSL's name for a TLS 1.2 suite (node:tls `ciphers`); TLS 1.3 suites keep their IANA names. */
export function opensslSuite(iana: string): string {
  const m: Record<string, string> = {
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
    TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  };
  return m[iana] ?? iana;
}

// ----------------------------------------------------------------------------- PKI

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('project root not found');
    dir = up;
  }
  return dir;
}

export const projectRoot = findRoot();

const pkiFile = (name: string): string => readFileSync(join(projectRoot, 'test', 'fixtures', 'pki', name), 'utf8');

export interface Pki {
  readonly ca: string;
  readonly cert: Record<CertName, string>;
  readonly key: Record<CertName, string>;
}

let pkiCache: Pki | undefined;
export function pki(): Pki {
  pkiCache ??= {
    ca: pkiFile('ca.pem'),
    cert: { p256: pkiFile('server-p256.pem'), rsa: pkiFile('server-rsa.pem') },
    key: { p256: pkiFile('server-p256.key'), rsa: pkiFile('server-rsa.key') },
  };
  return pkiCache;
}

// ----------------------------------------------------------------------------- statistics

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly rounds: readonly number[];
}

export function summarize(rounds: readonly number[]): Summary {
  return { median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), rounds };
}

// ----------------------------------------------------------------------------- IPC messages

/** Orchestrator → worker. */
export type Request =
  | { op: 'serve'; impl: Impl; tls: TlsParams; mode: 'handshake' | 'bulk' | 'ttfb' | 'hold'; resume?: Resume }
  | { op: 'unserve' }
  | { op: 'cpu' }
  | { op: 'mem' }
  | { op: 'connections' }
  | { op: 'handshakes'; impl: Impl; tls: TlsParams; port: number; durationMs: number; concurrency: number; resume?: Resume; rejectUnauthorized: boolean }
  | { op: 'bulk'; impl: Impl; tls: TlsParams; port: number; direction: 'send' | 'receive'; writeSize: number; totalBytes: number; rejectUnauthorized: boolean }
  | { op: 'ttfb'; impl: Impl; tls: TlsParams; port: number; count: number; rejectUnauthorized: boolean }
  | { op: 'open'; impl: Impl; tls: TlsParams; port: number; count: number; concurrency: number; rejectUnauthorized: boolean }
  | { op: 'closeAll' }
  | { op: 'exit' }
  | { op: 'ping' }
  | { op: 'probeVerify'; port: number; tls: TlsParams }
  | { op: 'engine'; impl: Impl | 'forge'; what: 'handshake' | 'bulk'; tls: TlsParams; durationMs: number; writeSize: number; totalBytes: number; rejectUnauthorized: boolean };

export interface CpuSample {
  /** process.cpuUsage() user + system, µs. */
  readonly cpuUs: number;
  /** Monotonic clock, ms. */
  readonly atMs: number;
}

export interface MemSample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** What a measuring op reports: work done, wall time, and this process's CPU time over it. */
export interface Measured {
  /** Handshakes, or bytes. */
  readonly count: number;
  readonly wallMs: number;
  readonly cpuUs: number;
  /** Handshakes that were not resumed although resumption was asked for. */
  readonly notResumed?: number;
  /** Resumption runs, node:tls client: whether the server issued a ticket with the session. */
  readonly ticketIssued?: boolean;
  readonly latenciesMs?: readonly number[];
}

export type Reply = { ok: true; value: unknown } | { ok: false; error: string };

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
