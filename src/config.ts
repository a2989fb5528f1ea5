/**
 * Engine configuration: what a client or server is willing to do.
 *
 * These are the engine's resolved settings (code points, parsed keys). The
 * Node-shaped option names (`cipherSuites`, `ALPNProtocols`, `minVersion`...)
 * are translated into these by src/node/options.ts.
 */
import type { CryptoProvider, PrivateKey } from './crypto/provider.js';
import type { AntiReplayStore, SessionStore, TicketKeys } from './handshake/tickets.js';
import type { VersionName } from './registry.js';
import { NamedGroup, SignatureScheme } from './registry.js';

/** A certificate chain (leaf first, DER) with the private key of the leaf. */
export interface CertifiedKey {
  readonly chain: readonly Uint8Array[];
  readonly key: PrivateKey;
}

/** What the engine asks the verifier (src/x509) about a peer's chain. */
export interface PeerVerificationRequest {
  readonly chain: readonly Uint8Array[];
  /** The name the client dialed (serverAuth only). */
  readonly hostname: string | undefined;
  readonly purpose: 'serverAuth' | 'clientAuth';
}

export interface PeerVerificationResult {
  readonly valid: boolean;
  /** Node/OpenSSL-style code, e.g. CERT_HAS_EXPIRED. */
  readonly code?: string;
  readonly message?: string;
  /** The alert to send when this failure is fatal. */
  readonly alert?: 'bad_certificate' | 'handshake_failure' | 'unknown_ca' | 'certificate_expired' | 'unsupported_certificate' | 'certificate_unknown' | 'certificate_revoked' | 'decrypt_error';
  /** The application's own error (a checkServerIdentity result): the cause of the engine's TLSError. */
  readonly error?: Error;
}

export type PeerVerifier = (req: PeerVerificationRequest) => Promise<PeerVerificationResult>;

/** Sessions that can be resumed. Opaque outside src/handshake/. */
export interface SessionState {
  readonly version: VersionName;
  readonly cipherSuite: number;
  /** TLS 1.2: master secret; TLS 1.3: resumption PSK. */
  readonly secret: Uint8Array;
  readonly serverName: string | undefined;
  readonly alpnProtocol: string | undefined;
  readonly peerCertificates: readonly Uint8Array[];
  /** TLS 1.2 session ID (server cache), if any. */
  readonly sessionId?: Uint8Array;
  /** Ticket from the server (1.2 RFC 5077 or 1.3 NewSessionTicket). */
  readonly ticket?: Uint8Array;
  readonly extendedMasterSecret?: boolean;
  /** TLS 1.3 ticket data. */
  readonly ticketAgeAdd?: number;
  readonly ticketLifetime?: number;
  readonly maxEarlyData?: number;
  /** When the ticket was received/issued (ms since epoch, from config.now()). */
  readonly createdAt: number;
  /** Server side: the digest of the client-authentication policy the session was established under (tickets.ts sessionContext). */
  readonly context?: Uint8Array;
  /** Server side, TLS 1.3: the scope of the anti-replay store of the server that issued the ticket (0-RTT only there). */
  readonly earlyDataScope?: Uint8Array;
}

export interface CommonConfig {
  readonly provider: CryptoProvider;
  readonly minVersion: VersionName;
  readonly maxVersion: VersionName;
  /** Cipher suites in preference order (both versions mixed; each side filters). */
  readonly cipherSuites: readonly number[];
  /** Named groups in preference order. */
  readonly groups: readonly number[];
  /** Signature schemes we accept from the peer, in preference order. */
  readonly signatureAlgorithms: readonly number[];
  readonly alpnProtocols: readonly string[];
  /** The clock, in ms since the epoch. The engine never reads a clock of its own. */
  readonly now: () => number;
  /** Emit trace events (costs nothing when false). */
  readonly trace: boolean;
  /**
   * TLS 1.3 PSK key exchange modes (RFC 8446 §4.2.9): the client offers them,
   * the server accepts them (psk_dhe_ke preferred). Default: client
   * [psk_dhe_ke]; server [psk_dhe_ke, psk_ke].
   */
  readonly pskModes?: readonly number[];
  /** TLS 1.3: records under one write key before an automatic KeyUpdate (default KEY_UPDATE_AFTER_RECORDS). */
  readonly keyUpdateAfterRecords?: number;
  /** TLS 1.3: pad every protected record's inner plaintext to a multiple of this many bytes (RFC 8446 §5.4), hiding lengths. */
  readonly padRecordsTo?: number;
}

export interface ClientConfig extends CommonConfig {
  readonly side: 'client';
  /** SNI and the name to verify; undefined to send no SNI. */
  readonly serverName: string | undefined;
  /** Name checked against the certificate (defaults to serverName). */
  readonly verifyHostname: string | undefined;
  readonly verifyPeer: PeerVerifier;
  /** Abort the handshake when verification fails (Node's rejectUnauthorized). */
  readonly rejectUnauthorized: boolean;
  /** Client certificates we may present (the first fitting one is used). */
  readonly certificates: readonly CertifiedKey[];
  /** TLS False Start (ECDHE/DHE + AEAD, TLS 1.2 only). */
  readonly falseStart: boolean;
  /** A session to resume. */
  readonly session: SessionState | undefined;
  /** Offer TLS 1.3 early data when the session allows it. */
  readonly earlyData: Uint8Array | undefined;
  /**
   * Smallest TLS 1.2 DHE prime accepted, in bits (Node's minDHSize). Never
   * below the engine's own floor of 2048 (a smaller value changes nothing).
   */
  readonly minDhPrimeBits?: number;
}

export interface ServerConfig extends CommonConfig {
  readonly side: 'server';
  /** Certificates to choose from (by SNI and key type). */
  readonly certificates: readonly CertifiedKey[];
  /** Pick certificates for a server name (Node's SNICallback), consulted first. */
  readonly selectCertificates: ((serverName: string | undefined) => Promise<readonly CertifiedKey[] | undefined>) | undefined;
  readonly requestClientCertificate: boolean;
  /** Fail the handshake without a valid client certificate. */
  readonly requireClientCertificate: boolean;
  readonly verifyPeer: PeerVerifier;
  /** DER distinguished names for CertificateRequest.certificate_authorities. */
  readonly clientCertificateAuthorities: readonly Uint8Array[];
  /** Prefer the server's suite order (true) or the client's (false). */
  readonly honorCipherOrder: boolean;
  /**
   * Keys that seal session tickets (TLS 1.2 RFC 5077 and TLS 1.3 PSK). Share
   * one TicketKeys (or its 48-byte keys, Node's `ticketKeys`) across servers
   * so they resume each other's sessions. Undefined: no tickets are issued.
   */
  readonly ticketKeys?: TicketKeys;
  /** TLS 1.2 session-ID cache. Undefined: no session IDs are issued. */
  readonly sessionCache?: SessionStore;
  /** Session/ticket lifetime in seconds (Node's sessionTimeout; at most 7 days in 1.3). */
  readonly sessionTimeout?: number;
  /** TLS 1.3 NewSessionTickets sent after a full handshake (default 1); after a resumption at most one, as OpenSSL. */
  readonly ticketCount?: number;
  /** TLS 1.3 0-RTT: most early-data bytes accepted per connection; 0 (the default) refuses early data. */
  readonly maxEarlyData?: number;
  /**
   * 0-RTT anti-replay store (single-use tickets); required for early data to be accepted. Early data is
   * accepted only under tickets issued by a server with a store of the same scope (see AntiReplayStore).
   */
  readonly antiReplay?: AntiReplayStore;
  /**
   * Opaque application bytes every session is bound to, with the client-certificate policy
   * (requestClientCertificate, requireClientCertificate, clientCertificateAuthorities): a session
   * established under other values never resumes (OpenSSL's sid_ctx, Node's sessionIdContext).
   * Change it whenever `verifyPeer` starts trusting differently (the Node adapter folds ca and crl in).
   */
  readonly sessionIdContext?: Uint8Array;
}

export type EngineConfig = ClientConfig | ServerConfig;

/**
 * Default groups, most preferred first. X25519MLKEM768 (post-quantum hybrid,
 * TLS 1.3 only) leads, as in Chrome, Firefox, Go and rustls: a client sends
 * shares for it and for x25519, so a classical-only server still answers in
 * one round trip; a server picks it whenever the client offers it.
 */
export const DEFAULT_GROUPS: readonly number[] = [
  NamedGroup.X25519MLKEM768,
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
  NamedGroup.ffdhe2048,
  NamedGroup.ffdhe3072,
  NamedGroup.ffdhe4096,
];

/** What we accept in handshake signatures: no SHA-1, no MD5. */
export const DEFAULT_SIGNATURE_ALGORITHMS: readonly number[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

/** Defaults: TLS 1.3 suites, then forward-secret TLS 1.2 AEAD suites. RSA key exchange only on request. */
export const DEFAULT_CIPHER_SUITES: readonly number[] = [
  0x1301, 0x1302, 0x1303, // TLS 1.3
  0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, // ECDHE
  0x009e, 0x009f, 0xccaa, // DHE
];
