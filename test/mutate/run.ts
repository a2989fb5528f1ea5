/**
 * `npm run mutate`: mutation testing of the security checks (not part of npm test).
 *
 * Each entry of {@link MUTATIONS} replaces one exact code fragment of one
 * file under src/ (a check removed or weakened). For each, one at a time, the
 * runner writes the mutated module into a temporary copy of dist/ (the file is
 * transpiled alone with TypeScript's transpileModule: milliseconds, where a
 * full tsc run takes ~20 s), runs the tests the entry names against that
 * copy, and counts the mutation caught when they fail. src/ and dist/ are never
 * written: the copy lives in a temporary folder (removed at exit, on SIGINT and
 * SIGTERM too) that symlinks everything else (node_modules, build, test
 * fixtures) to the project.
 *
 * A mutation whose search string is not found exactly once fails the run before
 * anything else (the list must stay true as the code changes). The tests are
 * first run on the unmutated copy: a failing baseline would make every mutation
 * look caught.
 *
 *   npm run mutate                      every mutation
 *   node dist/test/mutate/run.js --only=cv13-server,ems-client   some of them
 *   node dist/test/mutate/run.js --class=resumption               one class
 *   node dist/test/mutate/run.js --list                           the list, checked, without running
 *
 * Exit status: 0 when every mutation was caught, 1 when one survived, 2 when
 * the list no longer applies or the baseline fails.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../helpers/paths.js';
import { MUTATIONS, type Mutation } from './mutations.js';

/** Per-mutation ceiling: a mutation that makes a test hang counts as caught, but not after minutes. */
const RUN_TIMEOUT_MS = 180_000;
const PER_TEST_TIMEOUT_MS = 60_000;

interface Outcome {
  readonly mutation: Mutation;
  readonly caught: boolean;
  readonly ms: number;
  readonly detail: string;
}

function args(): { only: Set<string> | undefined; cls: string | undefined; list: boolean } {
  const get = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = get('only');
  return { only: only === undefined ? undefined : new Set(only.split(',')), cls: get('class'), list: process.argv.includes('--list') };
}

/** Every mutation must apply exactly once to today's src/; the stale ones are all reported together. */
function checkApplies(list: readonly Mutation[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const m of list) {
    if (ids.has(m.id)) problems.push(`${m.id}: duplicate id`);
    ids.add(m.id);
    const path = join(projectRoot, m.file);
    if (!existsSync(path)) {
      problems.push(`${m.id}: ${m.file} does not exist`);
      continue;
    }
    const text = readFileSync(path, 'utf8');
    const n = text.split(m.search).length - 1;
    if (n !== 1) problems.push(`${m.id}: the search string occurs ${n} times in ${m.file} (must be exactly once): ${JSON.stringify(m.search)}`);
    if (m.search === m.replace) problems.push(`${m.id}: search and replace are the same`);
    for (const t of m.tests) if (!existsSync(join(projectRoot, 'test', t.replace(/\.js$/, '.ts')))) problems.push(`${m.id}: test file test/${t.replace(/\.js$/, '.ts')} does not exist`);
    if (m.tests.length === 0) problems.push(`${m.id}: no tests named`);
  }
  return problems;
}

/** A scratch copy of the project: dist/ copied, everything else symlinked. */
function makeScratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ts-tls-mutate-'));
  for (const entry of readdirSync(projectRoot)) {
    if (entry === 'dist' || entry === '.git' || entry === 'test-output') continue;
    symlinkSync(join(projectRoot, entry), join(dir, entry));
  }
  cpSync(join(projectRoot, 'dist'), join(dir, 'dist'), { recursive: true });
  return dir;
}

function transpile(source: string, fileName: string): string {
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, sourceMap: false, inlineSourceMap: false },
    reportDiagnostics: false,
  }).outputText;
}

/** Run node --test on some test files of the scratch copy; resolves with the exit code and the tail of the output. */
function runTests(scratch: string, tests: readonly string[]): Promise<{ code: number | null; tail: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const files = tests.map((t) => join(scratch, 'dist', 'test', t));
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', `--test-timeout=${PER_TEST_TIMEOUT_MS}`, '--test-reporter=dot', ...files], {
      cwd: scratch,
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout ends the test files it started too
    });
    let out = '';
    const keep = (d: Buffer): void => {
      out = (out + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const t = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, RUN_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, tail: out, timedOut });
    });
  });
}

function firstFailure(tail: string): string {
  const m = /(?:error|message): ['"|]?([^\n]{0,200})/.exec(tail);
  return m ? m[1]!.trim() : tail.trim().split('\n').slice(-3).join(' | ').slice(0, 200);
}

async function main(): Promise<number> {
  const opts = args();
  const problems = checkApplies(MUTATIONS);
  if (problems.length > 0) {
    console.error(`mutate: ${problems.length} mutation(s) no longer apply to src/ — update test/mutate/mutations.ts:`);
    for (const p of problems) console.error(`  ${p}`);
    return 2;
  }
  const selected = MUTATIONS.filter((m) => (opts.only === undefined || opts.only.has(m.id)) && (opts.cls === undefined || m.class === opts.cls));
  if (opts.only !== undefined) for (const id of opts.only) if (!MUTATIONS.some((m) => m.id === id)) console.error(`mutate: no mutation ${id}`);
  const classes = new Map<string, number>();
  for (const m of MUTATIONS) classes.set(m.class, (classes.get(m.class) ?? 0) + 1);
  console.log(`mutate: ${MUTATIONS.length} mutations in ${classes.size} classes (${[...classes].map(([c, n]) => `${c} ${n}`).join(', ')}); running ${selected.length}`);
  if (opts.list) {
    for (const m of selected) console.log(`  ${m.id.padEnd(28)} ${m.class.padEnd(14)} ${m.file}: ${m.why}`);
    return 0;
  }
  if (!existsSync(join(projectRoot, 'dist', 'test', 'mutate', 'run.js'))) {
    console.error('mutate: dist/ is missing; run `npm run build` first');
    return 2;
  }

  const scratch = makeScratch();
  const cleanup = (): void => rmSync(scratch, { recursive: true, force: true });
  const onSignal = (sig: NodeJS.Signals): void => {
    cleanup();
    process.kill(process.pid, sig);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  try {
    // Baseline: the named tests pass on the unmutated copy.
    const allTests = [...new Set(selected.flatMap((m) => m.tests))].sort();
    const base = await runTests(scratch, allTests);
    if (base.code !== 0) {
      console.error(`mutate: the baseline fails (the unmutated tests must pass first):\n${base.tail}`);
      return 2;
    }
    console.log(`baseline: ${allTests.length} test files pass unmutated (${((Date.now() - started) / 1000).toFixed(0)} s)`);

    const outcomes: Outcome[] = [];
    for (const m of selected) {
      const t0 = Date.now();
      const source = readFileSync(join(projectRoot, m.file), 'utf8');
      const target = join(scratch, 'dist', m.file.replace(/\.ts$/, '.js'));
      const original = readFileSync(target);
      try {
        writeFileSync(target, transpile(source.replace(m.search, () => m.replace), m.file));
        const r = await runTests(scratch, m.tests);
        const caught = r.code !== 0;
        const detail = r.timedOut ? `tests timed out after ${RUN_TIMEOUT_MS / 1000} s` : caught ? firstFailure(r.tail) : 'all named tests passed';
        outcomes.push({ mutation: m, caught, ms: Date.now() - t0, detail });
      } finally {
        writeFileSync(target, original);
      }
      const o = outcomes[outcomes.length - 1]!;
      console.log(`${o.caught ? 'caught  ' : 'SURVIVED'} ${m.id.padEnd(28)} ${(o.ms / 1000).toFixed(1).padStart(5)} s  ${o.caught ? o.detail.slice(0, 90) : `${m.file}: ${m.why}`}`);
    }
    const caught = outcomes.filter((o) => o.caught).length;
    const secs = (Date.now() - started) / 1000;
    console.log(`\nmutate: ${caught} of ${outcomes.length} mutations caught, ${outcomes.length - caught} survived, in ${secs.toFixed(0)} s`);
    for (const o of outcomes.filter((x) => !x.caught)) console.log(`  survived: ${o.mutation.id} (${o.mutation.file}) — ${o.mutation.why}`);
    return caught === outcomes.length ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}

// node --test runs every .js under dist/test/ (this one too): there, do nothing.
if (process.env['NODE_TEST_CONTEXT'] === undefined) process.exitCode = await main();
