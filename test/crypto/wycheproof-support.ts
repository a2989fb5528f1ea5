/**
 * Loading and tallying Wycheproof test vector files (C2SP/wycheproof
 * testvectors_v1, copied into test/vectors/wycheproof/ with LICENSE and SOURCE).
 *
 * Every file is run completely: each test case ends up valid-passed,
 * invalid-rejected, acceptable (with its treatment), or out of scope (a
 * parameter shape the provider does not offer, with the reason). The tally
 * checks that the four add up to the file's numberOfTests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { vectorPath } from '../helpers/paths.js';
import type { HashAlgorithm } from '../../src/crypto/provider.js';

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: WycheproofResult;
  readonly [field: string]: unknown;
}

export interface WycheproofGroup {
  readonly tests: readonly WycheproofTest[];
  readonly [field: string]: unknown;
}

export interface WycheproofFile {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly WycheproofGroup[];
}

export function loadWycheproof(name: string): WycheproofFile {
  return JSON.parse(readFileSync(vectorPath('wycheproof', name), 'utf8')) as WycheproofFile;
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** A string field of a test case or group, as bytes (hex) or text. */
export function field(o: { readonly [k: string]: unknown }, name: string): string {
  const v = o[name];
  if (typeof v !== 'string') throw new Error(`field ${name} is not a string`);
  return v;
}

export function hexField(o: { readonly [k: string]: unknown }, name: string): Uint8Array {
  return hex(field(o, name));
}

export function numField(o: { readonly [k: string]: unknown }, name: string): number {
  const v = o[name];
  if (typeof v !== 'number') throw new Error(`field ${name} is not a number`);
  return v;
}

/** Wycheproof's hash names ("SHA-256") to the provider's. */
export function hashOf(sha: string): HashAlgorithm {
  const m: Record<string, HashAlgorithm> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
  const h = m[sha];
  if (!h) throw new Error(`unmapped hash ${sha}`);
  return h;
}

export const label = (t: WycheproofTest): string => `tcId ${t.tcId} (${t.comment || 'no comment'}; ${t.flags.join(',')})`;

/**
 * Counts for one file. Use {@link Tally.check} per test case with whether the
 * provider accepted it; valid cases must be accepted (and callers assert the
 * output), invalid ones rejected; acceptable ones go through `acceptable`.
 */
export class Tally {
  valid = 0;
  invalid = 0;
  acceptableAccepted = 0;
  acceptableRejected = 0;
  readonly skipped = new Map<string, number>();

  constructor(
    readonly file: string,
    readonly expectedTotal: number,
  ) {}

  /** A case outside what the provider offers; `reason` is printed. */
  skip(reason: string): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  /**
   * Record the provider's verdict. For acceptable cases, `acceptablePolicy`
   * returns an error message when the verdict is not the documented one.
   */
  check(t: WycheproofTest, accepted: boolean, acceptablePolicy?: (t: WycheproofTest, accepted: boolean) => string | undefined): void {
    if (t.result === 'valid') {
      assert.ok(accepted, `${this.file} ${label(t)}: valid case rejected`);
      this.valid++;
    } else if (t.result === 'invalid') {
      assert.ok(!accepted, `${this.file} ${label(t)}: invalid case accepted`);
      this.invalid++;
    } else {
      const problem = acceptablePolicy?.(t, accepted);
      assert.equal(problem, undefined, `${this.file} ${label(t)}: ${problem ?? ''}`);
      if (accepted) this.acceptableAccepted++;
      else this.acceptableRejected++;
    }
  }

  get skippedTotal(): number {
    let n = 0;
    for (const v of this.skipped.values()) n += v;
    return n;
  }

  /** Assert every case was seen, print the per-file line. */
  finish(acceptableTreatment = 'none in file'): void {
    const acceptable = this.acceptableAccepted + this.acceptableRejected;
    const total = this.valid + this.invalid + acceptable + this.skippedTotal;
    assert.equal(total, this.expectedTotal, `${this.file}: ${total} cases seen, file has ${this.expectedTotal}`);
    const acc = acceptable === 0 ? acceptableTreatment : `${acceptableTreatment}: ${this.acceptableAccepted} accepted, ${this.acceptableRejected} rejected`;
    let line = `wycheproof ${this.file}: ${this.valid} valid, ${this.invalid} invalid, ${acceptable} acceptable (treated as ${acc})`;
    if (this.skipped.size > 0) {
      line += `; out of scope: ${[...this.skipped].map(([r, n]) => `${n} ${r}`).join('; ')}`;
    }
    console.log(line);
  }
}

/** Run `body` over every case of a file and finish the tally. */
export function forEachCase(file: WycheproofFile, body: (g: WycheproofGroup, t: WycheproofTest) => void): void {
  for (const g of file.testGroups) for (const t of g.tests) body(g, t);
}
