/**
 * A hung peer makes `npm test` fail, never hang: the test script gives every
 * test a timeout (`--test-timeout`), and a test stuck on a peer that never
 * answers — here a child process that outlives it — is failed and its file
 * ended when the timeout passes. The scenario runs with the script's own
 * flags, the timeout shortened to 3 s.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/paths.js';

/** The longest per-test timeout we accept in npm test. */
const MAX_TIMEOUT_MS = 300_000;

const HUNG = `
import { it } from 'node:test';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
it('waits forever for a peer', async () => {
  const peer = spawn('sleep', ['600'], { stdio: ['pipe', 'pipe', 'pipe'] });
  writeFileSync(process.env.PEER_PID_FILE, String(peer.pid));
  await new Promise(() => {});
});
`;

describe('npm test and a hung peer', () => {
  const script = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['test']!;

  it('npm test sets a per-test timeout of at most a few minutes', () => {
    const m = /--test-timeout=(\d+)/.exec(script);
    assert.ok(m, `no --test-timeout in the test script: ${script}`);
    assert.ok(Number(m[1]) > 0 && Number(m[1]) <= MAX_TIMEOUT_MS, `--test-timeout=${m[1]}`);
  });

  it('a test stuck on a live child process fails within the timeout, and the run exits non-zero', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ts-tls-hung-'));
    const pidFile = join(dir, 'peer.pid');
    try {
      writeFileSync(join(dir, 'hung.test.mjs'), HUNG);
      const flags = script.split(' ').filter((a) => a.startsWith('--test-') && !a.startsWith('--test-timeout'));
      const started = Date.now();
      const code = await new Promise<number | null>((resolve) => {
        const run = spawn(process.execPath, ['--test', ...flags, '--test-timeout=3000', join(dir, 'hung.test.mjs')], {
          stdio: 'ignore',
          // Without NODE_TEST_CONTEXT: with it, the inner runner would report to ours instead of running on its own.
          env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), PEER_PID_FILE: pidFile },
        });
        const guard = setTimeout(() => run.kill('SIGKILL'), 50_000);
        run.on('close', (c) => {
          clearTimeout(guard);
          resolve(c);
        });
      });
      const secs = (Date.now() - started) / 1000;
      assert.notEqual(code, 0, 'the run fails');
      assert.notEqual(code, null, 'the run ended by itself (not killed by our guard)');
      assert.ok(secs < 45, `the run took ${secs.toFixed(1)} s`);
    } finally {
      // The hung test never reached a finally of its own: end its peer here.
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
