/**
 * Deterministic mutation fuzzing of the parsers outside the engine that read
 * peer bytes (test/fuzz/parser-fuzzer.ts): the trace decoder and tracer, the
 * inspector's ClientHello analysis, every message and extension codec, and
 * X.509 (Certificate.fromDer, PEM, path validation of what parses). Only the
 * documented error types may come out, and none may wrap a stray TypeError.
 * A failure prints the seed, the case number and the bytes;
 * `node dist/test/fuzz/campaign.js --target=parsers --seed=S --case=N` replays it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ParserFuzzer, formatParserFailure, type ParserCaseResult } from './parser-fuzzer.js';

const SEED = 20_250_614;
const CASES = 8_000;

describe('parser fuzzing', () => {
  it(`survives ${CASES} mutated inputs (seed ${SEED}) with only typed errors`, { timeout: 60_000 }, async () => {
    const fuzzer = new ParserFuzzer(await ParserFuzzer.corpus());
    const failures: ParserCaseResult[] = [];
    const targets = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const r = fuzzer.runCase(SEED, i);
      targets.set(r.target, (targets.get(r.target) ?? 0) + 1);
      if (r.violations.length > 0) failures.push(r);
    }
    for (const t of ['trace-message', 'tracer-stream', 'inspector-hello', 'inspector-page', 'codecs', 'x509-der', 'x509-pem', 'x509-verify']) assert.ok((targets.get(t) ?? 0) > 0, `target ${t} ran`);
    assert.equal(failures.length, 0, `\n${failures.slice(0, 5).map(formatParserFailure).join('\n\n')}`);
  });
});
