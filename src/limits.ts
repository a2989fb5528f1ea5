/**
 * Every limit the engine enforces, in one place. Named, so that a reader can
 * see what bounds the memory and work a peer can make us spend.
 */

/** RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14. */
export const MAX_PLAINTEXT_LENGTH = 1 << 14;
/** RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048; RFC 8446 §5.2 tightens to 2^14 + 256. We apply 2^14 + 256 to both (AEAD expansion is at most 8 + 16 bytes in 1.2). */
export const MAX_CIPHERTEXT_LENGTH = (1 << 14) + 256;
/** 5-byte record header. */
export const RECORD_HEADER_LENGTH = 5;
/** Largest handshake message we accept (certificate chains are the big ones). */
export const MAX_HANDSHAKE_MESSAGE_LENGTH = 64 * 1024;
/** Most certificates in a chain we accept from a peer. */
export const MAX_CERTIFICATE_CHAIN_LENGTH = 10;
/** Most received bytes buffered while the engine is busy (e.g. awaiting a signature). */
export const MAX_BUFFERED_INPUT = 1 << 20;
/** Consecutive warning alerts before we give up (an alert flood is a DoS). */
export const MAX_CONSECUTIVE_WARNING_ALERTS = 4;
/** Consecutive empty records (or TLS 1.3 ChangeCipherSpec records) before we give up. */
export const MAX_CONSECUTIVE_EMPTY_RECORDS = 32;
/** Most bytes of early data a server accepts by default (RFC 8446 §4.2.10 max_early_data_size). */
export const DEFAULT_MAX_EARLY_DATA = 16 * 1024;
/** Signature checks a single path validation may perform before giving up. */
export const MAX_PATH_SIGNATURE_CHECKS = 100;
