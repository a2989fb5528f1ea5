/**
 * The benchmark script runs end to end in its tiniest mode (--quick --smoke):
 * every scenario once, a few seconds in all. No timing is asserted (machines
 * are noisy); only that the script works and reports every scenario in the
 * documented JSON shape.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../helpers/paths.js';

interface Row {
  scenario: string;
  tsTls: number | null;
  nodeTls: number | null;
  unit: string;
  ratio: number | null;
  note?: string;
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(projectRoot, 'dist', 'bench', 'run.js'), ...args], { cwd: projectRoot, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run bench', () => {
  it('runs every scenario in --quick --smoke mode and emits one JSON object per scenario', async () => {
    const r = await runBench(['--quick', '--smoke', '--json']);
    assert.equal(r.code, 0, `bench exited with ${r.code}:\n${r.stderr.slice(-2000)}`);
    const rows = JSON.parse(r.stdout) as Row[];
    assert.ok(Array.isArray(rows));
    const ids = rows.map((x) => x.scenario);
    assert.equal(new Set(ids).size, ids.length, 'scenario ids are unique');
    for (const prefix of ['full-', 'resumed-', 'bulk-', 'memory-', 'ttfb-', 'engine-']) {
      assert.ok(ids.some((id) => id.startsWith(prefix)), `a ${prefix}* scenario is reported`);
    }
    for (const x of rows) {
      assert.equal(typeof x.scenario, 'string');
      assert.equal(typeof x.unit, 'string');
      assert.ok(x.unit.length > 0, `${x.scenario} has a unit`);
      for (const k of ['tsTls', 'nodeTls', 'ratio'] as const) {
        assert.ok(x[k] === null || (typeof x[k] === 'number' && Number.isFinite(x[k])), `${x.scenario}.${k} is a number or null`);
      }
      // node:tls is the reference: its side of every scenario must run.
      assert.equal(typeof x.nodeTls, 'number', `${x.scenario}: node:tls ran (${x.note ?? ''})`);
      if (x.tsTls === null) assert.ok(x.note && x.note.length > 0, `${x.scenario}: a missing ts-tls figure says why`);
      else if (x.ratio !== null) assert.ok(Math.abs(x.ratio - x.tsTls / x.nodeTls!) <= 1e-9 * Math.abs(x.ratio), `${x.scenario}: ratio is tsTls / nodeTls`);
    }
  });

  it('prints a markdown table with the machine it ran on', async () => {
    const r = await runBench(['--smoke', '--only=engine-handshake-tls12']);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.match(r.stdout, /\| Scenario \| ts-tls \| node:tls \| ratio \|/);
    assert.match(r.stdout, /- node: v\d+/);
    assert.match(r.stdout, /engine: full handshake, TLS 1\.2 ECDHE-ECDSA/);
  });
});
