/**
 * Long fuzzing campaigns (the short fixed-seed run is test/fuzz/engine.test.ts
 * and test/fuzz/parsers.test.ts, in `npm test`).
 *
 *   npm run build
 *   node dist/test/fuzz/campaign.js --seconds=600 --seed=7            # engine and parsers, 10 minutes
 *   node dist/test/fuzz/campaign.js --seconds=120 --seed=7 --target=engine
 *   node dist/test/fuzz/campaign.js --seconds=120 --seed=7 --target=parsers
 *   node dist/test/fuzz/campaign.js --seed=7 --case=1234             # replay one engine case, verbosely
 *   node dist/test/fuzz/campaign.js --seed=7 --case=1234 --target=parsers
 *
 * A case is named by (seed, case number); every failure prints both, the
 * mutation, the violated rule and the mutated bytes in hex. The engine corpus
 * is recorded afresh in each process: key shares and randomised signatures
 * differ between processes, the structure and the mutated positions do not,
 * so `--case` replays what failed (byte for byte up to the first key share).
 * Options: --scenario=NAME (only that scenario), --max-failures=N (stop after
 * N distinct failures, default 20), --slow-ms=N (list engine cases slower than
 * N ms, default 2000: an input that costs seconds is worth a look), --log (one
 * line per case), --quiet.
 *
 * Inside `node --test dist/test/` (which runs every file under dist/test)
 * this file does nothing.
 */
import { EngineFuzzer, formatFailure, type CaseResult } from './engine-fuzzer.js';
import { RejectionTrap } from './harness.js';
import { ParserFuzzer, formatParserFailure } from './parser-fuzzer.js';
import { SCENARIOS, record, type Recording } from './scenarios.js';

function args(): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of process.argv.slice(2)) {
    const [k, v] = a.replace(/^--/, '').split('=', 2) as [string, string | undefined];
    m.set(k, v ?? 'true');
  }
  return m;
}

/** What a failure is about, without the case-specific parts (for counting distinct failures). */
function signature(v: string): string {
  return v
    .replace(/@ .*$/, '')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
}

async function recordAll(only: string | undefined): Promise<Recording[]> {
  const out: Recording[] = [];
  for (const s of SCENARIOS) if (only === undefined || s.name === only) out.push(await record(s));
  return out;
}

async function main(): Promise<void> {
  const a = args();
  const seed = Number(a.get('seed') ?? '1');
  const seconds = Number(a.get('seconds') ?? '60');
  const target = a.get('target') ?? 'all';
  const quiet = a.has('quiet');
  const maxFailures = Number(a.get('max-failures') ?? '20');
  const slowMs = Number(a.get('slow-ms') ?? '2000');
  const trap = new RejectionTrap().install();
  const started = Date.now();
  const t0 = performance.now();
  const recordings = target === 'parsers' && !a.has('case') ? [] : await recordAll(a.get('scenario'));
  if (recordings.length === 0 && target !== 'parsers') throw new Error('no scenario matched');
  if (!quiet) console.log(`recorded ${recordings.length} scenarios in ${Math.round(performance.now() - t0)} ms`);

  if (a.has('case')) {
    const index = Number(a.get('case'));
    if (target === 'parsers') {
      const pf = new ParserFuzzer(await ParserFuzzer.corpus());
      const r = pf.runCase(seed, index);
      console.log(r.violations.length > 0 ? formatParserFailure(r) : `parser case ${index}: ${r.target} ${r.detail}: ok`);
    } else {
      const r = await new EngineFuzzer(recordings, trap).runCase(seed, index);
      console.log(r.violations.length > 0 ? formatFailure(r) : `case ${index}: ${r.scenario} ${r.mode} ${r.detail}\n  outcome: ${r.outcome}\n  ok`);
    }
    trap.uninstall();
    return;
  }

  const deadline = started + seconds * 1000;
  const seen = new Map<string, number>();
  let failures = 0;
  const report = (key: string, text: string): void => {
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n === 1) {
      failures++;
      console.log(text);
    }
  };

  // Engine and parsers share the time: engine cases are the expensive ones.
  const engineShare = target === 'engine' ? 1 : target === 'parsers' ? 0 : 0.8;
  const engineDeadline = Date.now() + (deadline - Date.now()) * engineShare;
  let engineCases = 0;
  const outcomes = new Map<string, number>();
  const modes = new Map<string, number>();
  if (engineShare > 0) {
    const fuzzer = new EngineFuzzer(recordings, trap);
    for (let i = 0; Date.now() < engineDeadline && failures < maxFailures; i++) {
      const t = performance.now();
      const r: CaseResult = await fuzzer.runCase(seed, i);
      const ms = performance.now() - t;
      // Not a failure by itself (the machine may be busy), but an input that costs seconds is worth a look.
      if (ms > slowMs) console.log(`SLOW CASE seed=${seed} case=${i} ${Math.round(ms)} ms: ${r.scenario} ${r.mode} ${r.detail} -> ${r.outcome}`);
      engineCases++;
      modes.set(r.mode, (modes.get(r.mode) ?? 0) + 1);
      for (const o of r.outcome.split(', ')) outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      if (a.has('log')) console.log(`${i} ${r.scenario} ${r.mode} ${r.detail} -> ${r.outcome}`);
      if (r.violations.length > 0) report(r.violations.map(signature).join(' / '), formatFailure(r));
      if (!quiet && i % 500 === 499) console.log(`… ${i + 1} engine cases, ${failures} distinct failures, ${Math.round((Date.now() - started) / 1000)} s`);
    }
  }
  let parserCases = 0;
  if (engineShare < 1) {
    const pf = new ParserFuzzer(await ParserFuzzer.corpus(recordings));
    for (let i = 0; Date.now() < deadline && failures < maxFailures; i++) {
      const r = pf.runCase(seed, i);
      parserCases++;
      if (a.has('log')) console.log(`${i} ${r.target} ${r.detail}`);
      if (r.violations.length > 0) report(`${r.target}: ${r.violations.map(signature).join(' / ')}`, formatParserFailure(r));
    }
  }
  trap.uninstall();
  console.log(`seed ${seed}: ${engineCases} engine cases, ${parserCases} parser cases in ${Math.round((Date.now() - started) / 1000)} s; ${failures} distinct failures`);
  if (!quiet && engineCases > 0) {
    console.log(`  modes: ${[...modes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const top = [...outcomes].sort((x, y) => y[1] - x[1]).slice(0, 40);
    console.log(`  outcomes: ${top.map(([k, v]) => `${k} ×${v}`).join('; ')}`);
  }
  process.exitCode = failures > 0 ? 1 : 0;
}

if (process.env.NODE_TEST_CONTEXT === undefined) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 2;
  });
}
