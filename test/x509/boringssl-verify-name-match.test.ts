/**
 * BoringSSL's verify_name_match_unittest over its data
 * (pki/testdata/verify_name_match_unittest/names). The cases restate
 * pki/verify_name_match_unittest.cc: exact matching, case/whitespace
 * normalization per string type, cross-type comparison, subtree matching,
 * invalid encodings, RDN sorting, and the exact normalized output.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { vectorPath } from '../helpers/paths.js';
import { decodePem } from '../../src/x509/pem.js';
import { parseSingle, Tag } from '../../src/x509/der.js';
import { normalizeName, verifyNameInSubtree, verifyNameMatch } from '../../src/x509/name.js';

function load(prefix: string, type: string, suffix: string): Uint8Array {
  return loadFile(`${prefix}-${type}-${suffix}.pem`);
}
function loadFile(file: string): Uint8Array {
  const f = vectorPath('x509-boringssl', 'verify_name_match_unittest', 'names', file);
  const b = decodePem(readFileSync(f, 'utf8'), 'NAME');
  assert.equal(b.length, 1, f);
  return b[0]!;
}
/** SequenceValueFromString (expects exactly one SEQUENCE). */
const seq = (der: Uint8Array): Uint8Array => parseSingle(der, Tag.SEQUENCE).value;
const name = (p: string, t: string, s: string): Uint8Array => seq(load(p, t, s));
const normalizes = (v: Uint8Array): boolean => {
  try {
    normalizeName(v);
    return true;
  } catch {
    return false;
  }
};

const VALUE_TYPES = ['PRINTABLESTRING', 'T61STRING', 'UTF8', 'BMPSTRING', 'UNIVERSALSTRING'];
const BMP_TYPES = ['UTF8', 'BMPSTRING', 'UNIVERSALSTRING'];
const SUPPLEMENTARY_TYPES = ['UTF8', 'UNIVERSALSTRING'];
const MANGLES = ['unmangled', 'case_swap', 'extra_whitespace'];
const COMPARABLE = new Set(['PRINTABLESTRING', 'UTF8', 'BMPSTRING', 'UNIVERSALSTRING']);
const comparable = (a: string, b: string): boolean => a === b || (COMPARABLE.has(a) && COMPARABLE.has(b));

let passed = 0;
let failed = 0;
function test(title: string, f: () => void): void {
  it(title, () => {
    try {
      f();
      passed++;
    } catch (e) {
      failed++;
      throw e;
    }
  });
}

describe('x509-boringssl verify_name_match_unittest', () => {
  after(() => console.log(`x509-boringssl verify_name_match: ${passed} passed, ${failed} failed, 0 skipped (listed)`));

  for (const t of VALUE_TYPES) {
    for (const m of MANGLES) {
      test(`VerifyNameMatchSimpleTest ExactEquality ${t}/${m}`, () => {
        for (const s of [m, `${m}-extra_attr`, `${m}-extra_rdn`]) assert.ok(verifyNameMatch(name('ascii', t, s), name('ascii', t, s)), s);
      });
      test(`VerifyNameMatchSimpleTest ExtraAttrDoesNotMatch ${t}/${m}`, () => {
        const a = name('ascii', t, m);
        const b = name('ascii', t, `${m}-extra_attr`);
        assert.ok(!verifyNameMatch(a, b));
        assert.ok(!verifyNameMatch(b, a));
      });
      test(`VerifyNameMatchSimpleTest DupeAttrDoesNotMatch ${t}/${m}`, () => {
        const d = name('ascii', t, `${m}-dupe_attr`);
        const x = name('ascii', t, `${m}-extra_attr`);
        assert.ok(!verifyNameMatch(d, x));
        assert.ok(!verifyNameMatch(x, d));
        assert.ok(verifyNameMatch(d, d));
      });
      test(`VerifyNameMatchSimpleTest ExtraRdnDoesNotMatch ${t}/${m}`, () => {
        const a = name('ascii', t, m);
        const b = name('ascii', t, `${m}-extra_rdn`);
        assert.ok(!verifyNameMatch(a, b));
        assert.ok(!verifyNameMatch(b, a));
      });
    }
  }

  for (const [expected, t] of [
    [true, 'PRINTABLESTRING'],
    [false, 'T61STRING'],
    [true, 'UTF8'],
    [true, 'BMPSTRING'],
    [true, 'UNIVERSALSTRING'],
  ] as const) {
    test(`VerifyNameMatchNormalizationTest CaseInsensitivity ${t}`, () => {
      const n = name('ascii', t, 'unmangled');
      const c = name('ascii', t, 'case_swap');
      assert.equal(verifyNameMatch(n, c), expected);
      assert.equal(verifyNameMatch(c, n), expected);
    });
    test(`VerifyNameMatchNormalizationTest CollapseWhitespace ${t}`, () => {
      const n = name('ascii', t, 'unmangled');
      const w = name('ascii', t, 'extra_whitespace');
      assert.equal(verifyNameMatch(n, w), expected);
      assert.equal(verifyNameMatch(w, n), expected);
    });
  }

  for (const t1 of VALUE_TYPES) {
    for (const t2 of VALUE_TYPES) {
      test(`VerifyNameMatchDifferingTypesTest NormalizableTypesAreEqual ${t1}/${t2}`, () => {
        assert.equal(verifyNameMatch(name('ascii', t1, 'unmangled'), name('ascii', t2, 'unmangled')), comparable(t1, t2));
      });
      test(`VerifyNameMatchDifferingTypesTest NormalizableTypesInSubtrees ${t1}/${t2}`, () => {
        const d1 = name('ascii', t1, 'unmangled');
        const d1r = name('ascii', t1, 'unmangled-extra_rdn');
        const d1a = name('ascii', t1, 'unmangled-extra_attr');
        const d2 = name('ascii', t2, 'unmangled');
        const d2r = name('ascii', t2, 'unmangled-extra_rdn');
        const d2a = name('ascii', t2, 'unmangled-extra_attr');
        const c = comparable(t1, t2);
        assert.equal(verifyNameInSubtree(d1, d2), c);
        assert.equal(verifyNameInSubtree(d2, d1), c);
        assert.equal(verifyNameInSubtree(d1r, d2), c);
        assert.equal(verifyNameInSubtree(d2r, d1), c);
        assert.ok(!verifyNameInSubtree(d1, d2r));
        assert.ok(!verifyNameInSubtree(d2, d1r));
        assert.ok(!verifyNameInSubtree(d1a, d2));
        assert.ok(!verifyNameInSubtree(d2a, d1));
        assert.ok(!verifyNameInSubtree(d1, d2a));
        assert.ok(!verifyNameInSubtree(d2, d1a));
      });
    }
  }

  for (const [prefix, types] of [
    ['unicode_bmp', BMP_TYPES],
    ['unicode_supplementary', SUPPLEMENTARY_TYPES],
  ] as const) {
    for (const t1 of types) {
      for (const t2 of types) {
        test(`VerifyNameMatchUnicodeConversionTest ${prefix} ${t1}/${t2}`, () => {
          assert.ok(verifyNameMatch(name(prefix, t1, 'unmangled'), name(prefix, t2, 'unmangled')));
        });
      }
    }
  }

  test('FailOnInvalidPrintableStringChars', () => {
    const der = Uint8Array.from(load('ascii', 'PRINTABLESTRING', 'unmangled'));
    const at = Buffer.from(der).indexOf(Buffer.from('0123456789'));
    assert.ok(at >= 0);
    const allowed = new Set(" '()*+,-./:=?".split('').map((c) => c.charCodeAt(0)));
    for (let c = 0; c < 256; c++) {
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || allowed.has(c)) continue;
      der[at] = c;
      const v = seq(der);
      assert.ok(!verifyNameMatch(v, v), `char ${c}`);
      assert.ok(!normalizes(v), `char ${c}`);
    }
  });

  test('FailOnInvalidIA5StringChars', () => {
    const der = Uint8Array.from(load('ascii', 'mixed', 'rdn_dupetype_sorting_1'));
    const at = Buffer.from(der).indexOf(Buffer.from('eXaMple'));
    assert.ok(at >= 0);
    for (let c = 0; c < 256; c++) {
      der[at] = c;
      const v = seq(der);
      assert.equal(verifyNameMatch(v, v), c <= 127, `char ${c}`);
      assert.equal(normalizes(v), c <= 127, `char ${c}`);
    }
  });

  for (const [type, suffix] of [
    ['AttributeTypeAndValue', 'extradata'],
    ['AttributeTypeAndValue', 'onlyOneElement'],
    ['AttributeTypeAndValue', 'empty'],
    ['AttributeTypeAndValue', 'badAttributeType'],
    ['AttributeTypeAndValue', 'setNotSequence'],
    ['RDN', 'sequenceInsteadOfSet'],
    ['RDN', 'empty'],
  ] as const) {
    test(`VerifyNameMatchInvalidDataTest invalid-${type}-${suffix}`, () => {
      const v = name('invalid', type, suffix);
      assert.ok(!verifyNameMatch(v, v));
      assert.ok(!normalizes(v));
    });
  }

  test('FailOnBmpStringSurrogates', () => {
    const der = Buffer.from(load('unicode_bmp', 'BMPSTRING', 'unmangled'));
    const at = der.indexOf(Buffer.from([0x67, 0x71, 0x4e, 0xac]));
    assert.ok(at >= 0);
    der.set([0xd8, 0x35, 0xdc, 0x00], at);
    const v = seq(new Uint8Array(der));
    assert.ok(!verifyNameMatch(v, v));
    assert.ok(!normalizes(v));
  });

  test('EmptyNameMatching', () => {
    const empty = name('valid', 'Name', 'empty');
    assert.ok(verifyNameMatch(empty, empty));
    assert.deepEqual(normalizeName(empty), empty);
    const nonEmpty = name('ascii', 'PRINTABLESTRING', 'unmangled');
    assert.ok(!verifyNameMatch(empty, nonEmpty));
    assert.ok(!verifyNameMatch(nonEmpty, empty));
  });

  test('VerifyNameMatchRDNSorting Simple', () => {
    const a = name('ascii', 'PRINTABLESTRING', 'rdn_sorting_1');
    const b = name('ascii', 'PRINTABLESTRING', 'rdn_sorting_2');
    assert.ok(verifyNameMatch(a, b));
    assert.ok(verifyNameMatch(b, a));
  });

  test('VerifyNameMatchRDNSorting DuplicateTypes', () => {
    const a = name('ascii', 'mixed', 'rdn_dupetype_sorting_1');
    const b = name('ascii', 'mixed', 'rdn_dupetype_sorting_2');
    assert.ok(verifyNameMatch(a, b));
    assert.ok(verifyNameMatch(b, a));
  });

  test('VerifyNameInSubtreeInvalidDataTest FailOnEmptyRdn', () => {
    const valid = name('ascii', 'PRINTABLESTRING', 'unmangled');
    const invalid = name('invalid', 'RDN', 'empty');
    assert.ok(!verifyNameInSubtree(valid, invalid));
    assert.ok(!verifyNameInSubtree(invalid, valid));
    assert.ok(!verifyNameInSubtree(invalid, invalid));
  });

  test('VerifyNameInSubtreeTest EmptyNameMatching', () => {
    const empty = name('valid', 'Name', 'empty');
    const nonEmpty = name('ascii', 'PRINTABLESTRING', 'unmangled');
    assert.ok(verifyNameInSubtree(empty, empty));
    assert.ok(verifyNameInSubtree(nonEmpty, empty));
    assert.ok(!verifyNameInSubtree(empty, nonEmpty));
  });

  test('NameNormalizationTest TestEverything', () => {
    const expected = name('unicode', 'mixed', 'normalized');
    const normalized = normalizeName(name('unicode', 'mixed', 'unnormalized'));
    assert.deepEqual(Buffer.from(normalized).toString('hex'), Buffer.from(expected).toString('hex'));
    assert.deepEqual(normalizeName(normalized), normalized);
  });

  test('NameNormalizationTest NormalizeCustom', () => {
    const raw = name('custom', 'custom', 'normalized');
    assert.deepEqual(normalizeName(raw), raw);
  });

  test('invalid-Name-setInsteadOfSequence is not a Name (SequenceValueFromString fails)', () => {
    assert.throws(() => name('invalid', 'Name', 'setInsteadOfSequence'), { name: 'DerError' });
  });

  test('valid-minimal parses and matches itself', () => {
    const v = seq(loadFile('valid-minimal.pem'));
    assert.ok(verifyNameMatch(v, v));
  });
});
