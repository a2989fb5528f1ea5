/**
 * Comparisons whose running time does not depend on where secret bytes differ.
 * The engine uses {@link timingSafeEqual} for Finished verify_data and PSK binders.
 */
import { timingSafeEqual as nodeTimingSafeEqual } from 'node:crypto';

/**
 * True when `a` and `b` hold the same bytes. A length mismatch returns false
 * at once (lengths are public in TLS: verify_data and binder lengths follow
 * from the negotiated hash); equal-length inputs are compared in constant time
 * by node:crypto's timingSafeEqual (OpenSSL CRYPTO_memcmp).
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return nodeTimingSafeEqual(a, b);
}
