/**
 * The two error types of the X.509 module.
 *
 * - {@link DerError}: the bytes are not strict DER (RFC 5280 certificates are
 *   DER, X.690 §10): a wrong tag, an indefinite or non-minimal length, a
 *   non-minimal INTEGER, trailing bytes, a truncated TLV.
 * - {@link X509Error}: the DER is fine but the structure is not a valid
 *   certificate / key / extension / name, or a request cannot be honoured.
 *
 * Both carry a stable `code` so callers never need to parse messages. Nothing
 * else escapes the parsers: every entry point that takes untrusted bytes
 * converts stray exceptions into one of these.
 */

export type DerErrorCode =
  | 'DER_TRUNCATED'
  | 'DER_BAD_LENGTH'
  | 'DER_INDEFINITE_LENGTH'
  | 'DER_NON_MINIMAL_LENGTH'
  | 'DER_BAD_TAG'
  | 'DER_UNEXPECTED_TAG'
  | 'DER_TRAILING_DATA'
  | 'DER_BAD_INTEGER'
  | 'DER_BAD_BOOLEAN'
  | 'DER_BAD_BIT_STRING'
  | 'DER_BAD_OID'
  | 'DER_BAD_TIME'
  | 'DER_BAD_STRING'
  | 'DER_BAD_VALUE';

export class DerError extends Error {
  override readonly name = 'DerError';
  constructor(
    readonly code: DerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type X509ErrorCode =
  | 'X509_BAD_PEM'
  | 'X509_BAD_CERTIFICATE'
  | 'X509_BAD_TBS_CERTIFICATE'
  | 'X509_BAD_VERSION'
  | 'X509_BAD_SERIAL'
  | 'X509_BAD_NAME'
  | 'X509_BAD_VALIDITY'
  | 'X509_BAD_EXTENSION'
  | 'X509_DUPLICATE_EXTENSION'
  | 'X509_BAD_GENERAL_NAME'
  | 'X509_BAD_PUBLIC_KEY'
  | 'X509_BAD_PRIVATE_KEY'
  | 'X509_BAD_ALGORITHM'
  | 'X509_BAD_CSR'
  | 'X509_BAD_CRL'
  | 'X509_BAD_ARGUMENT'
  | 'X509_UNSUPPORTED'
  | 'X509_FETCH_FAILED';

export class X509Error extends Error {
  override readonly name = 'X509Error';
  constructor(
    readonly code: X509ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for the two typed errors of this module. */
export function isX509ModuleError(e: unknown): e is DerError | X509Error {
  return e instanceof DerError || e instanceof X509Error;
}

/**
 * Run `f`, turning any error that is not already typed into an X509Error with
 * `code`. Used at the public parsing entry points so that a bug or an
 * unexpected input shape never surfaces as a TypeError/RangeError.
 */
export function typed<T>(code: X509ErrorCode, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isX509ModuleError(e)) throw e;
    throw new X509Error(code, `${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}
