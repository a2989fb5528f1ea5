import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timingSafeEqual } from '../../src/crypto/constant-time.js';

describe('timingSafeEqual', () => {
  it('is true for equal bytes, including empty arrays and different views', () => {
    assert.equal(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)), true);
    assert.equal(timingSafeEqual(new Uint8Array(0), new Uint8Array(0)), true);
    const big = Uint8Array.of(9, 1, 2, 3, 9);
    assert.equal(timingSafeEqual(big.subarray(1, 4), Uint8Array.of(1, 2, 3)), true);
  });

  it('is false for different bytes anywhere', () => {
    assert.equal(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(0, 2, 3)), false);
    assert.equal(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4)), false);
  });

  it('is false (does not throw) on a length mismatch', () => {
    assert.equal(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2)), false);
    assert.equal(timingSafeEqual(new Uint8Array(0), Uint8Array.of(0)), false);
  });
});
