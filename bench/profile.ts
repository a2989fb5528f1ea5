/**
 * Summarise a V8 CPU profile (from `npm run bench -- --cpu-prof`, or any
 * `node --cpu-prof` run): where the samples fall, by file and by function,
 * self and inclusive, as a share of the non-idle samples. Locations in
 * dist/ are mapped back to the TypeScript sources through their source maps.
 *
 *   node dist/bench/profile.js FILE.cpuprofile [--top=25] [--json] [--callers=NAME]
 */
import { readFileSync, existsSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { projectRoot } from './common.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Entry {
  readonly name: string;
  readonly self: number;
  readonly total: number;
}

export interface ProfileSummary {
  /** Sampled time that was not idle, ms. */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly byFile: Entry[];
  readonly byFunction: Entry[];
}

const maps = new Map<string, SourceMap | null>();

function sourceMapFor(path: string): SourceMap | null {
  if (!maps.has(path)) {
    let m: SourceMap | null = null;
    try {
      if (existsSync(path + '.map')) m = new SourceMap(JSON.parse(readFileSync(path + '.map', 'utf8')));
    } catch {
      m = null;
    }
    maps.set(path, m);
  }
  return maps.get(path)!;
}

/** "src/record/protection.ts:123" for our code, "node:internal/…" or "(native)" otherwise. */
function locate(cf: CallFrame): { file: string; where: string } {
  const url = cf.url;
  if (!url) return { file: cf.functionName.startsWith('(') ? cf.functionName : '(native)', where: '' };
  if (!url.startsWith('file://')) return { file: url, where: `${url}:${cf.lineNumber + 1}` };
  const path = fileURLToPath(url);
  const m = sourceMapFor(path);
  if (m) {
    const e = m.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string; originalLine?: number };
    if (e.originalSource) {
      const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : e.originalSource;
      const rel = relative(projectRoot, src.startsWith('/') ? src : new URL(src, url).pathname).replace(/^(\.\.\/)+/, '');
      return { file: rel, where: `${rel}:${(e.originalLine ?? 0) + 1}` };
    }
  }
  let rel = relative(projectRoot, path);
  if (rel.startsWith('..')) rel = path;
  rel = rel.replace(/^node_modules\/([^/]+(?:\/[^/]+)?)\/.*/, (_m, pkg: string) => `node_modules/${pkg}`);
  return { file: rel, where: `${rel}:${cf.lineNumber + 1}` };
}

/** Who calls the functions whose name contains `needle` (self time of the callee, by calling frame). */
export function callers(p: CpuProfile, needle: string): Entry[] {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const name = (id: number): string => {
    const cf = byId.get(id)!.callFrame;
    const { where } = locate(cf);
    return `${cf.functionName || '(anonymous)'} ${where}`;
  };
  const out = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0) / 1000;
    // The innermost frame matching the needle, and the chain of its callers (3 deep).
    for (let n: number | undefined = p.samples[i]!; n !== undefined; n = parent.get(n)) {
      if (!name(n).includes(needle)) continue;
      const chain: string[] = [];
      for (let q = parent.get(n), k = 0; q !== undefined && k < 3; q = parent.get(q), k++) chain.push(name(q));
      const key = chain.join(' ← ');
      out.set(key, (out.get(key) ?? 0) + dt);
      break;
    }
  }
  return [...out.entries()].map(([k, v]) => ({ name: k, self: v, total: v })).sort((a, b) => b.self - a.self);
}

export function summarise(p: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const fnKey = new Map<number, { fn: string; file: string }>();
  for (const n of p.nodes) {
    const { file, where } = locate(n.callFrame);
    const name = n.callFrame.functionName || '(anonymous)';
    fnKey.set(n.id, { fn: where ? `${name} ${where}` : name, file });
  }
  const selfFn = new Map<string, number>();
  const totalFn = new Map<string, number>();
  const selfFile = new Map<string, number>();
  const totalFile = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    const dt = (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0) / 1000;
    const k = fnKey.get(id)!;
    if (k.fn === '(idle)') {
      idle += dt;
      continue;
    }
    busy += dt;
    add(selfFn, k.fn, dt);
    add(selfFile, k.file, dt);
    const seenFn = new Set<string>();
    const seenFile = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const kk = fnKey.get(n)!;
      if (!seenFn.has(kk.fn)) {
        seenFn.add(kk.fn);
        add(totalFn, kk.fn, dt);
      }
      if (!seenFile.has(kk.file)) {
        seenFile.add(kk.file);
        add(totalFile, kk.file, dt);
      }
    }
  }
  const entries = (self: Map<string, number>, total: Map<string, number>): Entry[] =>
    [...total.keys()].map((name) => ({ name, self: self.get(name) ?? 0, total: total.get(name)! })).sort((a, b) => b.self - a.self);
  return { busyMs: busy, idleMs: idle, byFile: entries(selfFile, totalFile), byFunction: entries(selfFn, totalFn) };
}

function table(title: string, rows: Entry[], busy: number, top: number, by: 'self' | 'total'): string {
  const sorted = [...rows].sort((a, b) => b[by] - a[by]).slice(0, top);
  const pct = (x: number): string => `${((100 * x) / busy).toFixed(1)}%`;
  return [`### ${title}`, '', '| self | inclusive | where |', '| ---: | ---: | --- |', ...sorted.map((e) => `| ${pct(e.self)} | ${pct(e.total)} | ${e.name.replace(/\|/g, '\\|')} |`), ''].join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const files = args.filter((a) => !a.startsWith('--'));
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
  if (files.length === 0) {
    process.stderr.write('usage: node dist/bench/profile.js <file.cpuprofile>... [--top=N] [--json] [--callers=NAME]\n');
    process.exit(2);
  }
  const needle = args.find((a) => a.startsWith('--callers='))?.slice(10);
  for (const f of files) {
    const profile = JSON.parse(readFileSync(f, 'utf8')) as CpuProfile;
    const s = summarise(profile);
    if (needle) {
      process.stdout.write(table(`Callers of ${needle} (its time, by calling chain)`, callers(profile, needle), s.busyMs, top, 'self') + '\n');
      continue;
    }
    if (args.includes('--json')) {
      process.stdout.write(JSON.stringify({ file: f, ...s, byFile: s.byFile.slice(0, top), byFunction: s.byFunction.slice(0, top) }, null, 2) + '\n');
      continue;
    }
    process.stdout.write(
      [
        `## ${f}`,
        '',
        `busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms; percentages are of busy time`,
        '',
        table('By file, self time', s.byFile, s.busyMs, top, 'self'),
        table('By function, self time', s.byFunction, s.busyMs, top, 'self'),
        table('By function, inclusive time', s.byFunction, s.busyMs, top, 'total'),
      ].join('\n') + '\n',
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
