/**
 * RSAES-PKCS1-v1_5 unpadding (RFC 8017 §7.2.2 step 3) over the raw block
 * `EM = m` that {@link PrivateKey.rsaDecryptRaw} returns.
 *
 * Node 20 refuses RSA_PKCS1_PADDING for private decryption (the Marvin
 * attack mitigation, CVE-2023-46809), so the engine decrypts without padding
 * and removes the padding here.
 *
 * EM = 0x00 || 0x02 || PS || 0x00 || M, with PS at least 8 non-zero bytes.
 *
 * For TLS 1.2 RSA key exchange use {@link tlsPreMasterFromRsa}: it never
 * reveals whether the padding was valid. {@link pkcs1v15Unpad} reports
 * failure as null, which is fine for tests and for protocols without an
 * oracle, and must not be used where a peer can observe the outcome.
 */

/** 1 when x (a byte, 0..255) is zero, else 0; no branch. */
function isZeroByte(x: number): number {
  return ((x - 1) >>> 8) & 1;
}

/** 1 when a === b (bytes), else 0; no branch. */
function eqByte(a: number, b: number): number {
  return isZeroByte((a ^ b) & 0xff);
}

/**
 * The message M inside a PKCS#1 v1.5 type-2 block, or null when the block is
 * malformed: first byte not 0x00, second not 0x02, fewer than 8 padding bytes,
 * or no 0x00 separator. The scan visits every byte and finds the separator
 * with masks; only the final accept/reject and the slice branch.
 */
export function pkcs1v15Unpad(em: Uint8Array): Uint8Array | null {
  const k = em.length;
  if (k < 11) return null; // public: the block is the modulus length
  let good = eqByte(em[0]!, 0x00) & eqByte(em[1]!, 0x02);
  // sepIndex: position of the first zero byte at index >= 2 (0 when none).
  let sepIndex = 0;
  let looking = 1;
  for (let i = 2; i < k; i++) {
    const z = isZeroByte(em[i]!);
    const take = z & looking; // first zero seen here
    sepIndex |= -take & i;
    looking &= 1 - z;
  }
  good &= 1 - looking; // a separator exists
  // PS = em[2 .. sepIndex) must be at least 8 bytes: sepIndex >= 10.
  good &= ((9 - sepIndex) >>> 31) & 1;
  if (good === 0) return null;
  return em.slice(sepIndex + 1);
}

/** The pre-master secret length of TLS RSA key exchange (RFC 5246 §7.4.7.1). */
export const RSA_PREMASTER_LENGTH = 48;

/**
 * RFC 5246 §7.4.7.1: the pre-master secret to use after decrypting an
 * EncryptedPreMasterSecret to `em` (the raw block, modulus-length bytes).
 *
 * Returns the 48 bytes of M when EM is a well-formed type-2 block carrying a
 * 48-byte M whose first two bytes are `clientVersion` (the version offered in
 * ClientHello, e.g. 0x0303); otherwise returns a copy of `random48`, which the
 * caller generated BEFORE decrypting. The handshake then simply goes on, and a
 * bad pre-master shows up as a Finished failure, indistinguishable from any
 * other (Bleichenbacher's attack needs that oracle).
 *
 * Constant time in the secret: with the length fixed at 48, the separator
 * must be at index k - 49, so every check is at a public position. All checks
 * are folded into one 0/1 flag by bitwise arithmetic (no `if`, `?:`, `&&`,
 * early return or secret-indexed access), turned into a byte mask, and the
 * output bytes are chosen as (M & mask) | (random & ~mask). The only branches
 * depend on public values: the block length and the length of `random48`.
 */
export function tlsPreMasterFromRsa(em: Uint8Array, clientVersion: number, random48: Uint8Array): Uint8Array {
  if (random48.length !== RSA_PREMASTER_LENGTH) throw new RangeError('random48 must be 48 bytes');
  const k = em.length;
  const out = new Uint8Array(RSA_PREMASTER_LENGTH);
  // 00 02 PS(>= 8) 00 M(48): a block shorter than 59 bytes can never be valid (public).
  if (k < 3 + 8 + RSA_PREMASTER_LENGTH) {
    out.set(random48);
    return out;
  }
  const sep = k - RSA_PREMASTER_LENGTH - 1;
  let good = eqByte(em[0]!, 0x00) & eqByte(em[1]!, 0x02);
  for (let i = 2; i < sep; i++) good &= 1 - isZeroByte(em[i]!); // PS has no zero byte
  good &= isZeroByte(em[sep]!);
  good &= eqByte(em[sep + 1]!, (clientVersion >>> 8) & 0xff);
  good &= eqByte(em[sep + 2]!, clientVersion & 0xff);
  const mask = -good & 0xff; // 0xff when good, 0x00 otherwise
  for (let i = 0; i < RSA_PREMASTER_LENGTH; i++) {
    out[i] = (em[sep + 1 + i]! & mask) | (random48[i]! & ~mask & 0xff);
  }
  return out;
}
