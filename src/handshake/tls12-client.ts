/**
 * TLS 1.2 client (RFC 5246 §7.3), from ServerHello on:
 *
 *   ServerHello → Certificate → ServerKeyExchange* → CertificateRequest* → ServerHelloDone
 *   Certificate* → ClientKeyExchange → CertificateVerify* → [ChangeCipherSpec] → Finished
 *   (False Start: application data may leave here)
 *   NewSessionTicket* ← [ChangeCipherSpec] ← Finished
 *
 * or, resuming a session (RFC 5246 §7.3, RFC 5077 §3.1):
 *   ServerHello → NewSessionTicket* → [ChangeCipherSpec] → Finished; [ChangeCipherSpec] Finished →
 */
import type { ClientConfig, SessionState } from '../config.js';
import type { HandshakeIO, HandshakeSummary } from '../connection.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { KeyExchangeError, type KeyAgreement } from '../crypto/provider.js';
import { alertError } from '../errors.js';
import {
  alpn as alpnExt,
  ecPointFormats,
  expectEmpty,
  findExtension,
  renegotiationInfo,
} from '../messages/extensions.js';
import {
  CertificateCodec,
  CertificateRequest12Codec,
  CertificateVerifyCodec,
  ClientKeyExchangeCodec,
  FinishedCodec,
  NewSessionTicket12Codec,
  ServerKeyExchangeCodec,
  decodeMessage,
  type CertificateRequest12,
  type HandshakeMessage,
  type ServerHello,
} from '../messages/handshake.js';
import { MAX_CERTIFICATE_CHAIN_LENGTH } from '../limits.js';
import {
  ExtensionType,
  HandshakeType,
  groupName,
  type CipherSuiteInfo,
} from '../registry.js';
import type { ClientHelloState } from './client.js';
import { KeyUsage, requireKeyUsage, subjectPublicKeyInfoOf } from './certs.js';
import {
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  bytesEqual,
  checkSolicited,
  fixedIvLength12,
  keylogLine,
  protector12,
  suiteOrFail,
  AEAD_KEY_LENGTH,
} from './common.js';
import { exporter12, extendedMasterSecret12, finishedVerifyData12, keyExpansion12, masterSecret12 } from './prf.js';
import { chooseSignatureScheme, signatureAlgorithmOf, verifyHandshakeSignature } from './signatures.js';
import { ffdheGroupOf } from '../crypto/ffdhe.js';

/** RFC 7919 / our policy: DH primes under 2048 bits are refused. */
export const MIN_DH_PRIME_BITS = 2048;

export async function tls12Client(io: HandshakeIO, st: ClientHelloState, sh: ServerHello, shMsg: HandshakeMessage): Promise<HandshakeSummary> {
  const cfg = st.config;
  const p = cfg.provider;
  const transcript = st.transcript;

  // --- ServerHello checks ---------------------------------------------------
  if (!st.offeredSuites.includes(sh.cipherSuite)) {
    throw alertError('illegal_parameter', `server chose cipher suite 0x${sh.cipherSuite.toString(16)}, which was not offered`);
  }
  const suite = suiteOrFail(sh.cipherSuite);
  if (suite.version !== 'TLSv1.2') throw alertError('illegal_parameter', `server chose TLS 1.3 suite ${suite.name} for TLS 1.2`);
  if (sh.legacyCompressionMethod !== 0) throw alertError('illegal_parameter', 'server chose a compression method other than null');
  if (st.offersTls13) {
    // RFC 8446 §4.1.3: a 1.3-capable server negotiating 1.2 marks its random; seeing the mark means an attacker downgraded us.
    const tail = sh.random.subarray(24);
    if (bytesEqual(tail, DOWNGRADE_TLS12) || bytesEqual(tail, DOWNGRADE_TLS11)) {
      throw alertError('illegal_parameter', 'downgrade sentinel in ServerHello.random: TLS 1.3 was stripped');
    }
  }
  checkSolicited(sh.extensions, st.offeredExtensions, 'ServerHello');
  const ri = findExtension(sh.extensions, ExtensionType.renegotiation_info);
  // RFC 5746 §3.4: on the initial handshake the server's renegotiated_connection must be empty.
  if (ri !== undefined && renegotiationInfo.decode(ri).length !== 0) {
    throw alertError('handshake_failure', 'renegotiation_info is not empty on the initial handshake');
  }
  const emsData = findExtension(sh.extensions, ExtensionType.extended_master_secret);
  if (emsData !== undefined) expectEmpty(emsData, 'extended_master_secret');
  const useEms = emsData !== undefined;
  const pf = findExtension(sh.extensions, ExtensionType.ec_point_formats);
  if (pf !== undefined && !ecPointFormats.decode(pf).includes(0)) {
    throw alertError('illegal_parameter', 'server does not support uncompressed EC points');
  }
  const sni = findExtension(sh.extensions, ExtensionType.server_name);
  if (sni !== undefined) expectEmpty(sni, 'server_name');
  let alpnProtocol: string | undefined;
  const alpnData = findExtension(sh.extensions, ExtensionType.application_layer_protocol_negotiation);
  if (alpnData !== undefined) {
    const list = alpnExt.decode(alpnData);
    // RFC 7301 §3.1: exactly one protocol, one we offered.
    if (list.length !== 1 || !cfg.alpnProtocols.includes(list[0]!)) {
      throw alertError('illegal_parameter', 'server selected an ALPN protocol that was not offered');
    }
    alpnProtocol = list[0];
  }
  const ticketAck = findExtension(sh.extensions, ExtensionType.session_ticket);
  if (ticketAck !== undefined) expectEmpty(ticketAck, 'session_ticket');

  transcript.setHash(suite.hash);
  transcript.add(shMsg.raw);

  // --- Resumption? (RFC 5246 §7.4.1.3: the server echoes our session ID) ----------
  const resume = cfg.session?.version === 'TLSv1.2' ? cfg.session : undefined;
  if (resume && st.sessionId.length > 0 && bytesEqual(sh.legacySessionIdEcho, st.sessionId)) {
    return resumed12(io, st, sh, suite, resume, alpnProtocol, useEms, ticketAck !== undefined);
  }

  // --- Server Certificate ----------------------------------------------------------------
  const certMsg = await io.expect(HandshakeType.certificate);
  const cert = decodeMessage(certMsg, (r) => CertificateCodec.decode(r, false, MAX_CERTIFICATE_CHAIN_LENGTH));
  transcript.add(certMsg.raw);
  if (cert.entries.length === 0) throw alertError('bad_certificate', 'server sent an empty Certificate message');
  const chain = cert.entries.map((e) => e.certData);
  const serverSpki = subjectPublicKeyInfoOf(chain[0]!);
  const serverKey = p.describePublicKey(serverSpki);
  const wantKind = suite.auth === 'ECDSA' ? 'ec' : 'rsa';
  // RFC 8422 §5.1.1: the ECDSA suites also carry EdDSA certificates and signatures.
  if (serverKey.kind !== wantKind && !(wantKind === 'ec' && serverKey.kind === 'ed25519')) {
    throw alertError('unsupported_certificate', `${suite.name} needs a ${wantKind.toUpperCase()} certificate, got ${serverKey.kind}`);
  }
  // RSA key exchange encrypts to the key; every other suite has it sign the ServerKeyExchange.
  requireKeyUsage(chain[0]!, suite.kx === 'RSA' ? KeyUsage.keyEncipherment : KeyUsage.digitalSignature, 'unsupported_certificate', 'server');
  const verification = await cfg.verifyPeer({ chain, hostname: cfg.verifyHostname, purpose: 'serverAuth' });
  if (!verification.valid && cfg.rejectUnauthorized) {
    throw alertError(verification.alert ?? 'bad_certificate', verification.message ?? `certificate verification failed: ${verification.code}`, verification.code, verification.error);
  }

  // --- ServerKeyExchange (ECDHE, DHE) -----------------------------------------------------
  let group: number | undefined;
  let peerSignatureScheme: number | undefined;
  let agreement: KeyAgreement | undefined;
  let serverPublic: Uint8Array | undefined;
  if (suite.kx === 'ECDHE' || suite.kx === 'DHE') {
    const skeMsg = await io.expect(HandshakeType.server_key_exchange);
    const ske = decodeMessage(skeMsg, (r) => ServerKeyExchangeCodec.decode(r, suite.kx as 'ECDHE' | 'DHE'));
    transcript.add(skeMsg.raw);
    const scheme = ske.signatureScheme;
    // RFC 5246 §7.4.3: the signature covers client_random + server_random + params.
    const signed = new Uint8Array(64 + ske.rawParams.length);
    signed.set(st.random, 0);
    signed.set(sh.random, 32);
    signed.set(ske.rawParams, 64);
    await verifyHandshakeSignature(p, serverSpki, scheme, cfg.signatureAlgorithms, 'TLSv1.2', signed, ske.signature, 'ServerKeyExchange');
    peerSignatureScheme = scheme;
    if (ske.params.kind === 'ECDHE') {
      group = ske.params.namedCurve;
      if (!cfg.groups.includes(group) || !p.supportsGroup(group) || group >= 0x100) {
        throw alertError('illegal_parameter', `server chose group ${groupName(group)}, which was not offered`);
      }
      agreement = await p.startKeyExchange(group);
      serverPublic = ske.params.publicKey;
    } else {
      const bits = primeBits(ske.params.p);
      const minBits = Math.max(MIN_DH_PRIME_BITS, cfg.minDhPrimeBits ?? 0);
      if (bits < minBits) throw alertError('insufficient_security', `DH prime of ${bits} bits is below ${minBits}`);
      if (bits > 8192) throw alertError('illegal_parameter', `DH prime of ${bits} bits is too large`);
      // 1 < g < p - 1 (NIST SP 800-56A), before any exponentiation: OpenSSL takes ~0.3 s over a generator
      // equal to p before refusing it (found by fuzzing). Ys is checked at agreement (RFC 7919 §3: handshake_failure).
      if (!inOpenRange(ske.params.g, ske.params.p)) throw alertError('illegal_parameter', 'server DH generator is not in (1, p - 1)');
      try {
        agreement = await p.startDh(ske.params.p, ske.params.g);
      } catch (e) {
        // A generator of 0 or 1, an even p: parameters out of range.
        if (e instanceof KeyExchangeError) throw alertError('illegal_parameter', `server DH parameters rejected: ${e.message}`, undefined, e);
        throw e;
      }
      serverPublic = ske.params.publicKey;
      group = ffdheGroupId(ske.params.p, ske.params.g);
    }
  }

  // --- CertificateRequest, ServerHelloDone -------------------------------------------------
  let next = await io.read();
  let certRequest: CertificateRequest12 | undefined;
  if (next.type === HandshakeType.certificate_request) {
    const crMsg = next as HandshakeMessage;
    certRequest = decodeMessage(crMsg, (r) => CertificateRequest12Codec.decode(r));
    transcript.add(crMsg.raw);
    next = await io.read();
  }
  if (next.type !== HandshakeType.server_hello_done) {
    throw alertError('unexpected_message', `expected ServerHelloDone, got ${String(next.type)}`);
  }
  const shd = next as HandshakeMessage;
  if (shd.body.length !== 0) throw alertError('decode_error', 'ServerHelloDone is not empty');
  transcript.add(shd.raw);

  // --- Client Certificate -------------------------------------------------------------------
  let clientKey = undefined as (typeof cfg.certificates)[number] | undefined;
  let clientScheme: number | undefined;
  if (certRequest) {
    for (const ck of cfg.certificates) {
      const s = chooseSignatureScheme(ck.key, certRequest.signatureSchemes, cfg.signatureAlgorithms, 'TLSv1.2');
      if (s !== undefined) {
        clientKey = ck;
        clientScheme = s;
        break;
      }
    }
    const body = CertificateCodec.encode(
      { certificateRequestContext: new Uint8Array(0), entries: (clientKey?.chain ?? []).map((c) => ({ certData: c, extensions: [] })) },
      false,
    );
    transcript.add(io.sendHandshake(HandshakeType.certificate, body));
  }

  // --- ClientKeyExchange and the pre-master secret ------------------------------------------
  let preMasterSecret: Uint8Array;
  let ckeBody: Uint8Array;
  if (suite.kx === 'RSA') {
    // RFC 5246 §7.4.7.1: client_version (the version we offered: 1.2) || 46 random bytes.
    preMasterSecret = new Uint8Array(48);
    preMasterSecret[0] = 3;
    preMasterSecret[1] = 3;
    preMasterSecret.set(p.randomBytes(46), 2);
    let encrypted: Uint8Array;
    try {
      encrypted = await p.rsaEncryptPkcs1(serverSpki, preMasterSecret);
    } catch (e) {
      // The certificate's RSA key is unusable (an even modulus, too short): the certificate is bad.
      if (e instanceof KeyExchangeError) throw alertError('bad_certificate', `server certificate key rejected: ${e.message}`, undefined, e);
      throw e;
    }
    ckeBody = ClientKeyExchangeCodec.encode('RSA', encrypted);
  } else {
    try {
      preMasterSecret = await agreement!.complete(serverPublic!);
    } catch (e) {
      // RFC 7919 §3: a dh_Ys outside 1 < Ys < p-1 is handshake_failure; a bad EC point is illegal_parameter.
      if (e instanceof KeyExchangeError) {
        throw alertError(suite.kx === 'DHE' ? 'handshake_failure' : 'illegal_parameter', `server key share rejected: ${e.message}`, undefined, e);
      }
      throw e;
    }
    if (suite.kx === 'DHE') preMasterSecret = stripLeadingZeros(preMasterSecret); // RFC 5246 §8.1.2
    ckeBody = ClientKeyExchangeCodec.encode(suite.kx as 'ECDHE' | 'DHE', agreement!.publicShare);
  }
  transcript.add(io.sendHandshake(HandshakeType.client_key_exchange, ckeBody));

  const masterSecret = useEms
    ? extendedMasterSecret12(p, suite.hash, preMasterSecret, transcript.digest())
    : masterSecret12(p, suite.hash, preMasterSecret, st.random, sh.random);
  io.sink.keylog?.(keylogLine('CLIENT_RANDOM', st.random, masterSecret));

  // --- CertificateVerify (RFC 5246 §7.4.8): a signature over all messages so far ----------------
  if (clientKey && clientScheme !== undefined) {
    const alg = signatureAlgorithmOf(clientScheme)!;
    const signature = await clientKey.key.sign(alg, transcript.messages());
    transcript.add(io.sendHandshake(HandshakeType.certificate_verify, CertificateVerifyCodec.encode({ signatureScheme: clientScheme, signature })));
  }

  // --- ChangeCipherSpec, Finished -------------------------------------------------------------
  const keys = keyExpansion12(p, suite.hash, masterSecret, st.random, sh.random, AEAD_KEY_LENGTH[suite.aead], fixedIvLength12(suite));
  io.sendChangeCipherSpec();
  io.setWriteProtector(protector12(p, suite, keys.clientWriteKey, keys.clientWriteIv));
  const clientVerifyData = finishedVerifyData12(p, suite.hash, masterSecret, 'client', transcript.digest());
  transcript.add(io.sendHandshake(HandshakeType.finished, FinishedCodec.encode(clientVerifyData)));

  // TLS False Start (RFC 7918): with a forward-secret key exchange and an AEAD, data may go now.
  const falseStart = cfg.falseStart && (suite.kx === 'ECDHE' || suite.kx === 'DHE');
  if (falseStart) io.enableApplicationData();

  // --- Server's NewSessionTicket, ChangeCipherSpec, Finished ------------------------------------
  let session: SessionState | undefined;
  const sessionBase = {
    version: 'TLSv1.2' as const,
    cipherSuite: suite.id,
    secret: masterSecret,
    serverName: cfg.serverName,
    alpnProtocol,
    peerCertificates: chain,
    extendedMasterSecret: useEms,
    createdAt: cfg.now(),
  };
  let ccsOrTicket = await io.read();
  if (ccsOrTicket.type === HandshakeType.new_session_ticket) {
    if (ticketAck === undefined) throw alertError('unexpected_message', 'NewSessionTicket without a session_ticket extension');
    const m = ccsOrTicket as HandshakeMessage;
    const t = decodeMessage(m, (r) => NewSessionTicket12Codec.decode(r));
    transcript.add(m.raw);
    if (t.ticket.length > 0) session = { ...sessionBase, ticket: t.ticket, ticketLifetime: t.ticketLifetimeHint };
    ccsOrTicket = await io.read();
  } else if (ticketAck !== undefined) {
    throw alertError('unexpected_message', 'expected NewSessionTicket after the session_ticket acknowledgement');
  }
  if (ccsOrTicket.type !== 'change_cipher_spec') throw alertError('unexpected_message', 'expected ChangeCipherSpec');
  if (io.hasBufferedHandshakeData()) throw alertError('unexpected_message', 'handshake data before ChangeCipherSpec was not a whole message');
  io.setReadProtector(protector12(p, suite, keys.serverWriteKey, keys.serverWriteIv));
  const finMsg = await io.expect(HandshakeType.finished);
  const expected = finishedVerifyData12(p, suite.hash, masterSecret, 'server', transcript.digest());
  if (!timingSafeEqual(finMsg.body, expected)) {
    throw alertError('decrypt_error', 'server Finished does not verify');
  }
  transcript.add(finMsg.raw);
  if (!session && sh.legacySessionIdEcho.length > 0) session = { ...sessionBase, sessionId: sh.legacySessionIdEcho };
  // A session from an unverified server is not offered for resumption (a resumed session reports itself authorized).
  if (session && verification.valid) io.sink.session?.(session);
  io.exporter = exporter12(p, suite.hash, masterSecret, st.random, sh.random);

  return {
    version: 'TLSv1.2',
    cipherSuite: suite,
    group,
    peerSignatureScheme,
    alpnProtocol,
    serverName: cfg.serverName,
    peerCertificates: chain,
    localCertificates: clientKey?.chain ?? [],
    resumed: false,
    extendedMasterSecret: useEms,
    authorized: verification.valid,
    authorizationError: verification.valid ? undefined : verification.code,
    earlyDataAccepted: false,
    roundTrips: falseStart ? 1 : 2,
  };
}

/** Abbreviated handshake: the server accepted our session (ID or ticket). */
async function resumed12(
  io: HandshakeIO,
  st: ClientHelloState,
  sh: ServerHello,
  suite: CipherSuiteInfo,
  session: SessionState,
  alpnProtocol: string | undefined,
  useEms: boolean,
  ticketAck: boolean,
): Promise<HandshakeSummary> {
  const cfg: ClientConfig = st.config;
  const p = cfg.provider;
  const transcript = st.transcript;
  if (sh.cipherSuite !== session.cipherSuite) throw alertError('illegal_parameter', 'resumed session with a different cipher suite');
  // RFC 7627 §5.3: a session with EMS must be resumed with EMS, and vice versa.
  if (useEms !== (session.extendedMasterSecret ?? false)) throw alertError('handshake_failure', 'extended_master_secret differs from the resumed session');
  const masterSecret = session.secret;
  io.sink.keylog?.(keylogLine('CLIENT_RANDOM', st.random, masterSecret));
  const keys = keyExpansion12(p, suite.hash, masterSecret, st.random, sh.random, AEAD_KEY_LENGTH[suite.aead], fixedIvLength12(suite));
  let newSession: SessionState | undefined;
  let next = await io.read();
  if (next.type === HandshakeType.new_session_ticket) {
    if (!ticketAck) throw alertError('unexpected_message', 'NewSessionTicket without a session_ticket extension');
    const m = next as HandshakeMessage;
    const t = decodeMessage(m, (r) => NewSessionTicket12Codec.decode(r));
    transcript.add(m.raw);
    if (t.ticket.length > 0) newSession = { ...session, ticket: t.ticket, ticketLifetime: t.ticketLifetimeHint, createdAt: cfg.now() };
    next = await io.read();
  }
  if (next.type !== 'change_cipher_spec') throw alertError('unexpected_message', 'expected ChangeCipherSpec');
  io.setReadProtector(protector12(p, suite, keys.serverWriteKey, keys.serverWriteIv));
  const finMsg = await io.expect(HandshakeType.finished);
  const expected = finishedVerifyData12(p, suite.hash, masterSecret, 'server', transcript.digest());
  if (!timingSafeEqual(finMsg.body, expected)) throw alertError('decrypt_error', 'server Finished does not verify');
  transcript.add(finMsg.raw);
  io.sendChangeCipherSpec();
  io.setWriteProtector(protector12(p, suite, keys.clientWriteKey, keys.clientWriteIv));
  const verifyData = finishedVerifyData12(p, suite.hash, masterSecret, 'client', transcript.digest());
  transcript.add(io.sendHandshake(HandshakeType.finished, FinishedCodec.encode(verifyData)));
  if (newSession) io.sink.session?.(newSession);
  io.exporter = exporter12(p, suite.hash, masterSecret, st.random, sh.random);
  return {
    version: 'TLSv1.2',
    cipherSuite: suite,
    group: undefined,
    peerSignatureScheme: undefined,
    alpnProtocol: alpnProtocol ?? session.alpnProtocol,
    serverName: cfg.serverName,
    peerCertificates: session.peerCertificates,
    localCertificates: [],
    resumed: true,
    extendedMasterSecret: useEms,
    authorized: true,
    authorizationError: undefined,
    earlyDataAccepted: false,
    roundTrips: 1,
  };
}

const toBigInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')));

/** 1 < x < p - 1, for big-endian unsigned x and p. */
function inOpenRange(x: Uint8Array, p: Uint8Array): boolean {
  const v = toBigInt(x);
  return v > 1n && v < toBigInt(p) - 1n;
}

function primeBits(p: Uint8Array): number {
  let i = 0;
  while (i < p.length && p[i] === 0) i++;
  if (i === p.length) return 0;
  return (p.length - i - 1) * 8 + (32 - Math.clz32(p[i]!));
}

function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function ffdheGroupId(p: Uint8Array, g: Uint8Array): number | undefined {
  return ffdheGroupOf(p, g)?.group;
}
