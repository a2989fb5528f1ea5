/**
 * `npm run bogo [-- --test 'Resume-*;Basic-*'] [--workers N] [--no-known]`: BoringSSL's conformance
 * suite against ts-tls.
 *
 * Builds the runner if needed (test/bogo/build-runner.sh, into build/bogo/), runs the suite with the
 * shim (test/bogo/shim.sh) and config (test/bogo/config.json), and prints passed / failed /
 * unimplemented / disabled (by reason). Writes build/bogo/results.json (the runner's JSON results)
 * and build/bogo/summary.json. Exit status 1 when a test fails that test/bogo/known-failures.json
 * does not list (a regression); known failures that now pass are reported, so the list can shrink.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const bogoDir = join(root, 'test', 'bogo');
const out = resolve(process.env['BOGO_BUILD'] ?? join(root, 'build', 'bogo'));
const runner = join(out, 'bogo-runner');

interface Options {
  test: string | undefined;
  skip: string | undefined;
  workers: number;
  useKnown: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { test: undefined, skip: undefined, workers: 2, useKnown: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--test' || a === '-test') o.test = value();
    else if (a === '--skip' || a === '-skip') o.skip = value();
    else if (a === '--workers' || a === '-num-workers') o.workers = Number(value());
    else if (a === '--no-known') o.useKnown = false;
    else throw new Error(`unknown argument ${a} (use --test GLOBS, --skip GLOBS, --workers N, --no-known)`);
  }
  return o;
}

/** Go's filepath.Match for test names (no path separators in them): * ? and [...] classes. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      re += glob.slice(i, end + 1).replace('[^', '[^').replace('[!', '[^');
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matchesAny(name: string, globs: readonly RegExp[]): boolean {
  return globs.some((g) => g.test(name));
}

function buildRunner(): void {
  const r = spawnSync('bash', [join(bogoDir, 'build-runner.sh'), out], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the BoGo runner failed');
}

/** Every test name the runner knows (listed once per runner binary, with a shim that implements nothing). */
function allTestNames(): string[] {
  const cache = join(out, 'all-tests.txt');
  if (existsSync(cache) && statSync(cache).mtimeMs > statSync(runner).mtimeMs) return readFileSync(cache, 'utf8').split('\n').filter(Boolean);
  const lister = join(out, 'list-shim.sh');
  writeFileSync(lister, '#!/bin/sh\n[ "$1" = -is-handshaker-supported ] && echo No && exit 0\nexit 89\n', { mode: 0o755 });
  const r = spawnSync(runner, ['-shim-path', lister, '-allow-unimplemented', '-include-disabled', '-pipe', '-num-workers', '4'], {
    cwd: out,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const names = [...r.stdout.matchAll(/^UNIMPLEMENTED \((.*)\)$/gm)].map((m) => m[1]!).sort();
  if (names.length === 0) throw new Error(`listing the tests failed: ${r.stderr}`);
  writeFileSync(cache, names.join('\n') + '\n');
  return names;
}

interface Outcome {
  passed: string[];
  failed: Map<string, string>;
  unimplemented: string[];
}

function runSuite(o: Options): Promise<Outcome> {
  const args = [
    '-shim-path', join(bogoDir, 'shim.sh'),
    '-shim-config', join(bogoDir, 'config.json'),
    '-allow-unimplemented', '-pipe',
    '-num-workers', String(o.workers),
    '-json-output', join(out, 'results.json'),
  ];
  if (o.test !== undefined) args.push('-test', o.test);
  if (o.skip !== undefined) args.push('-skip', o.skip);
  return new Promise((resolvePromise, reject) => {
    // The runner writes its certificates to $TMPDIR and runs from its own source folder's view: any cwd works.
    const child = spawn(runner, args, { cwd: out, stdio: ['ignore', 'pipe', 'inherit'] });
    const outcome: Outcome = { passed: [], failed: new Map(), unimplemented: [] };
    let log = '';
    let buffered = '';
    let current: string | undefined;
    let done = 0;
    const started = Date.now();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      log += chunk;
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = /^(PASSED|FAILED|UNIMPLEMENTED) \((.*)\)$/.exec(line);
        if (m === null) {
          if (current !== undefined) outcome.failed.set(current, (outcome.failed.get(current) ?? '') + line + '\n');
          continue;
        }
        current = undefined;
        done++;
        if (m[1] === 'PASSED') outcome.passed.push(m[2]!);
        else if (m[1] === 'UNIMPLEMENTED') outcome.unimplemented.push(m[2]!);
        else {
          current = m[2]!;
          outcome.failed.set(current, '');
        }
        if (process.stderr.isTTY && done % 25 === 0) process.stderr.write(`\r${done} tests, ${outcome.failed.size} failed, ${Math.round((Date.now() - started) / 1000)} s `);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      if (process.stderr.isTTY) process.stderr.write('\n');
      writeFileSync(join(out, 'log.txt'), log);
      resolvePromise(outcome);
    });
  });
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(out, { recursive: true });
  buildRunner();
  const config = JSON.parse(readFileSync(join(bogoDir, 'config.json'), 'utf8')) as { DisabledTests: Record<string, string> };
  const known = JSON.parse(readFileSync(join(bogoDir, 'known-failures.json'), 'utf8')) as { failures: Record<string, string> };
  const started = Date.now();
  const names = allTestNames();
  const selected = o.test === undefined ? names : names.filter((n) => matchesAny(n, o.test!.split(';').map(globToRegExp)));
  const skipped = o.skip === undefined ? [] : o.skip.split(';').map(globToRegExp);
  const disabledByReason = new Map<string, number>();
  let disabled = 0;
  for (const name of selected) {
    if (matchesAny(name, skipped)) continue;
    const glob = Object.keys(config.DisabledTests).find((g) => globToRegExp(g).test(name));
    if (glob === undefined) continue;
    disabled++;
    const reason = config.DisabledTests[glob]!.split(':')[0]!;
    disabledByReason.set(reason, (disabledByReason.get(reason) ?? 0) + 1);
  }
  const result = await runSuite(o);
  const seconds = Math.round((Date.now() - started) / 1000);
  const ran = result.passed.length + result.failed.size;
  const unexpected = [...result.failed.keys()].filter((n) => !o.useKnown || known.failures[n] === undefined).sort();
  const fixed = result.passed.filter((n) => known.failures[n] !== undefined).sort();

  console.log(`BoGo (BoringSSL 88a537fe): ${selected.length} tests selected, ${seconds} s`);
  console.log(`  ran           ${ran}`);
  console.log(`  passed        ${result.passed.length}`);
  console.log(`  failed        ${result.failed.size} (${result.failed.size - unexpected.length} known, ${unexpected.length} unexpected)`);
  console.log(`  unimplemented ${result.unimplemented.length} (shim exit 89: a flag ts-tls has no feature for)`);
  console.log(`  disabled      ${disabled}`);
  for (const [reason, n] of [...disabledByReason].sort((a, b) => b[1] - a[1])) console.log(`    ${String(n).padStart(5)}  ${reason}`);
  if (fixed.length > 0) {
    console.log(`known failures that pass now (remove them from test/bogo/known-failures.json):`);
    for (const n of fixed) console.log(`  ${n}`);
  }
  if (unexpected.length > 0) {
    console.log(`unexpected failures (details in ${join(out, 'log.txt')}):`);
    for (const n of unexpected) console.log(`  ${n}\n${result.failed.get(n)!.trim().split('\n').slice(0, 6).map((l) => `      ${l}`).join('\n')}`);
  }
  const summary = {
    runner: 'BoringSSL 88a537fe',
    selected: selected.length,
    ran,
    passed: result.passed.length,
    failed: result.failed.size,
    unexpected,
    unimplemented: result.unimplemented.length,
    disabled,
    disabledByReason: Object.fromEntries(disabledByReason),
    failures: [...result.failed.keys()].sort(),
    seconds,
  };
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  console.log(`results: ${join(out, 'results.json')}, ${join(out, 'summary.json')}`);
  return unexpected.length === 0 ? 0 : 1;
}

// node --test runs every .js under dist/test/ (this one too): there, do nothing (it hung npm test).
if (process.env['NODE_TEST_CONTEXT'] === undefined) main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  },
);
