/**
 * Deterministic mutation fuzzing of the engine, the short run that `npm test`
 * does (long campaigns: test/fuzz/campaign.ts). Bad input is normal input:
 * whatever bytes arrive, in whatever chunks, the engine ends up waiting for
 * more, done, or failed once with a TLSError carrying the alert it sent (and
 * sent it) — see the oracle in test/fuzz/harness.ts.
 *
 * The corpus is recorded from in-memory handshakes of every scenario in
 * test/fuzz/scenarios.ts (TLS 1.2 ECDHE/DHE/RSA, TLS 1.3 with x25519, P-256,
 * P-384, X25519MLKEM768, HelloRetryRequest, client certificates, tickets in
 * both versions, session IDs, 0-RTT accepted and rejected, ALPN, SNI,
 * KeyUpdate, close_notify, slow crypto). A failure prints the seed, the case
 * number and the mutated bytes; `node dist/test/fuzz/campaign.js --seed=S
 * --case=N` replays it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EngineFuzzer, formatFailure, type CaseResult } from './engine-fuzzer.js';
import { RejectionTrap, checkEndpoint, newEndpoint, settle, wire } from './harness.js';
import { SCENARIOS, newClient, newServer, record, scriptBytes, type Recording } from './scenarios.js';
import { acceptAll, certified } from '../helpers/pair.js';

const SEED = 20_250_614;
const CASES = 4_000;

describe('engine fuzzing', () => {
  const recordings: Recording[] = [];
  const trap = new RejectionTrap();
  before(() => void trap.install());
  after(() => trap.uninstall());

  it('records every scenario: an unmutated run in random chunks completes, data and close_notify both ways', { timeout: 60_000 }, async () => {
    for (const s of SCENARIOS) recordings.push(await record(s));
    assert.equal(recordings.length, SCENARIOS.length);
  });

  it('replays each recorded side into a fresh engine of the other side, unmutated, all the way (the corpus reaches past every crypto check)', { timeout: 60_000 }, async () => {
    for (const rec of recordings) {
      for (const into of ['server', 'client'] as const) {
        const ep = into === 'server' ? newServer(rec.state, 'main') : newClient(rec.state, 'main');
        ep.start();
        await settle([ep]);
        for (const w of rec.writes[into === 'server' ? 'client' : 'server']) {
          ep.feed(w);
          await settle([ep]);
        }
        const what = `${rec.state.scenario.name} replayed into a ${into}`;
        assert.deepEqual(checkEndpoint(ep), [], what);
        assert.equal(ep.error, undefined, what);
        assert.equal(ep.handshakes, 1, what);
        assert.ok(ep.conn.closeNotifyReceived, `${what}: close_notify`);
        const expected = scriptBytes(rec.state.scenario, into === 'server' ? 'client' : 'server');
        assert.ok(ep.dataBytes >= expected, `${what}: ${ep.dataBytes} of ${expected} bytes`);
      }
    }
    assert.deepEqual(trap.take(), []);
  });

  it('the oracle catches what it is for: a TypeError that becomes internal_error', { timeout: 10_000 }, async () => {
    const client = newEndpoint('client', {
      serverName: 'localhost',
      maxVersion: 'TLSv1.2',
      verifyPeer: async () => {
        throw new TypeError('a parser bug');
      },
    });
    const server = newEndpoint('server', { certificates: [certified('server-rsa')], verifyPeer: acceptAll });
    wire(client, server);
    server.start();
    client.start();
    await settle([client, server], 200);
    const found = checkEndpoint(client);
    assert.equal(found.length, 1, found.join('; '));
    assert.match(found[0]!, /internal_error from a stray exception: TypeError: a parser bug/);
  });

  it(`survives ${CASES} mutated cases (seed ${SEED}): no throw, no hang, no untyped error, no unhandled rejection, alerts sent`, { timeout: 120_000 }, async () => {
    assert.equal(recordings.length, SCENARIOS.length, 'the corpus was recorded');
    const fuzzer = new EngineFuzzer(recordings, trap);
    const failures: CaseResult[] = [];
    const modes = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const r = await fuzzer.runCase(SEED, i);
      modes.set(r.mode, (modes.get(r.mode) ?? 0) + 1);
      if (r.violations.length > 0) failures.push(r);
    }
    // Every mode ran (a guard against a harness change that quietly skips one).
    for (const m of ['replay-server', 'replay-client', 'wire', 'message', 'inject', 'fragment']) assert.ok((modes.get(m) ?? 0) > 0, `mode ${m} ran`);
    assert.equal(failures.length, 0, `\n${failures.slice(0, 5).map(formatFailure).join('\n\n')}`);
  });
});
