/** Assertions that say which check stopped a handshake: the failing side's alert, code and exact message. */
import assert from 'node:assert/strict';
import type { TLSError } from '../../src/errors.js';
import type { Pair } from './pair.js';

/**
 * `failing` sent `alert` with exactly `message` (the check under test, not a
 * later one with the same alert), and its peer received that alert.
 */
export async function expectRefusal(pair: Pair, failing: 'client' | 'server', alert: string, message: string, code = `ERR_TLS_ALERT_${alert.toUpperCase()}`): Promise<TLSError> {
  const other = failing === 'client' ? 'server' : 'client';
  const [mine, theirs] = await Promise.all([pair[failing].closed, pair[other].closed]);
  assert.ok(mine, `the ${failing} should have failed (${other}: ${theirs?.message ?? 'no error'})`);
  assert.equal(mine.message, `${message} (sent alert ${alert})`, `the ${failing} failed for another reason`);
  assert.equal(mine.alert?.name, alert);
  assert.equal(mine.alert?.direction, 'sent');
  assert.equal(mine.code, code);
  assert.equal(theirs?.code, 'ERR_TLS_ALERT_RECEIVED', `${other}: ${theirs?.message}`);
  assert.equal(theirs?.alert?.name, alert);
  return mine;
}
