/**
 * Every limit the engine enforces, in one place. Named, so that a reader can
 * see what bounds the memory and work a peer can make us spend.
 */

/** RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14. */
export const MAX_PLAINTEXT_LENGTH = 1 << 14;
/** The smallest plaintext per record a sender may be limited to (OpenSSL's max_send_fragment floor, RFC 6066's smallest max_fragment_length). */
export const MIN_SEND_FRAGMENT = 512;
/** RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048; RFC 8446 §5.2 tightens to 2^14 + 256. We apply 2^14 + 256 to both (AEAD expansion is at most 8 + 16 bytes in 1.2). */
export const MAX_CIPHERTEXT_LENGTH = (1 << 14) + 256;
/** 5-byte record header. */
export const RECORD_HEADER_LENGTH = 5;
/**
 * Largest handshake message body we accept: the largest ClientHello the wire
 * format allows (2 + 32 + 1+32 + 2+65534 + 1+255 + 2+65535 = 131396 bytes,
 * OpenSSL's CLIENT_HELLO_MAX_LENGTH), so that padding-heavy and post-quantum
 * hellos are not refused; certificate chains get the same bound. Reassembly
 * copies each byte once (record/reassembly.ts), so a large message costs
 * linear work however it is fragmented.
 */
export const MAX_HANDSHAKE_MESSAGE_LENGTH = 131396;
/** Most certificates in a chain we accept from a peer. */
export const MAX_CERTIFICATE_CHAIN_LENGTH = 10;
/** Most received bytes buffered while the engine is busy (e.g. awaiting a signature). */
export const MAX_BUFFERED_INPUT = 1 << 20;
/** Consecutive warning alerts before we give up (an alert flood is a DoS). */
export const MAX_CONSECUTIVE_WARNING_ALERTS = 4;
/**
 * TLS 1.3 KeyUpdates received with no application data in between (nor an update request of
 * ours, which the peer may answer) before we give up (unexpected_message), as BoringSSL: each costs
 * a key derivation, and a requested one a reply.
 */
export const MAX_KEY_UPDATES_WITHOUT_DATA = 32;
/**
 * Bytes of protocol output (records the engine writes on its own in answer to the peer: flights,
 * tickets, KeyUpdate replies, alerts; not the application's data, which follows stream backpressure)
 * the Node adapter lets wait on its transport before it stops reading from the peer, until half of
 * them are taken: a peer that sends without reading cannot make us queue answers without bound.
 */
export const MAX_PENDING_PROTOCOL_OUTPUT = 128 * 1024;
/** Consecutive empty records (or TLS 1.3 ChangeCipherSpec records) before we give up. */
export const MAX_CONSECUTIVE_EMPTY_RECORDS = 32;
/** Most bytes of early data a server accepts by default (RFC 8446 §4.2.10 max_early_data_size). */
export const DEFAULT_MAX_EARLY_DATA = 16 * 1024;
/** Signature checks a single path validation may perform before giving up. */
export const MAX_PATH_SIGNATURE_CHECKS = 100;
/**
 * RFC 8446 §5.5: AES-GCM keys may protect at most 2^24.5 full-size records; we
 * send a KeyUpdate after 2^24 records under one TLS 1.3 write key (any AEAD).
 */
export const KEY_UPDATE_AFTER_RECORDS = 2 ** 24;
/** RFC 8446 §4.6.1: ticket lifetimes are at most seven days. */
export const MAX_TICKET_LIFETIME_SECONDS = 604800;
/** Most TLS 1.2 sessions a MemorySessionCache keeps by default. */
export const DEFAULT_SESSION_CACHE_SIZE = 10000;
/** Most 0-RTT tickets the anti-replay store remembers; beyond it, early data is refused. */
export const MAX_ANTI_REPLAY_ENTRIES = 100000;
/** RFC 8446 §8.3: how far a client's reported ticket age may be off for 0-RTT (ms). */
export const EARLY_DATA_AGE_WINDOW_MS = 10000;
/**
 * Once node:http2 is done with a connection (or the peer ended it), how long (ms) the peer has to close
 * its side after our close_notify and FIN before the socket is destroyed.
 */
export const HTTP2_CLOSE_GRACE_MS = 2000;
/** How long (ms) a server waits for a client to finish its handshake (node:tls's handshakeTimeout default). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 120_000;
