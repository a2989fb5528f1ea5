/**
 * TLS 1.2 server (RFC 5246 §7.3), from ClientHello on:
 *
 *   ClientHello → ServerHello, Certificate, ServerKeyExchange*, CertificateRequest*, ServerHelloDone
 *   Certificate* → ClientKeyExchange → CertificateVerify* → [ChangeCipherSpec] → Finished
 *   ← [ChangeCipherSpec] Finished
 */
import type { CertifiedKey, ServerConfig, SessionState } from '../config.js';
import type { HandshakeIO, HandshakeSummary } from '../connection.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { FFDHE_GROUPS } from '../crypto/ffdhe.js';
import { KeyExchangeError, type KeyAgreement } from '../crypto/provider.js';
import { tlsPreMasterFromRsa } from '../crypto/rsa-pkcs1.js';
import { alertError } from '../errors.js';
import {
  alpn as alpnExt,
  ecPointFormats,
  expectEmpty,
  findExtension,
  renegotiationInfo,
  u16List,
  type Extension,
} from '../messages/extensions.js';
import {
  CertificateCodec,
  CertificateRequest12Codec,
  CertificateVerifyCodec,
  ClientKeyExchangeCodec,
  FinishedCodec,
  NewSessionTicket12Codec,
  ServerHelloCodec,
  ServerKeyExchangeCodec,
  decodeMessage,
  type HandshakeMessage,
} from '../messages/handshake.js';
import { MAX_CERTIFICATE_CHAIN_LENGTH } from '../limits.js';
import {
  ClientCertificateType,
  ExtensionType,
  HandshakeType,
  NamedGroup,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
  cipherSuiteInfo,
  type CipherSuiteInfo,
} from '../registry.js';
import { KeyUsage, ownCertificateBody, requireKeyUsage, subjectPublicKeyInfoOf } from './certs.js';
import { AEAD_KEY_LENGTH, DOWNGRADE_TLS12, NO_CERTIFICATES, fixedIvLength12, keylogLine, protector12 } from './common.js';
import { exporter12, extendedMasterSecret12, finishedVerifyData12, keyExpansion12, masterSecret12 } from './prf.js';
import { selectAlpn, type ClientHelloInfo } from './server.js';
import { chooseSignatureScheme, signatureAlgorithmOf, verifyHandshakeSignature } from './signatures.js';
import { bindSession, isThenable, openTicket, sealTicket, sessionAllowed, sessionFresh } from './tickets.js';
import { Transcript } from './transcript.js';

const isFfdhe = (g: number): boolean => g >= NamedGroup.ffdhe2048 && g <= NamedGroup.ffdhe8192;
const EC_GROUPS: readonly number[] = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1];

/** The negotiated shape of a TLS 1.2 handshake. */
interface Selection12 {
  readonly suite: CipherSuiteInfo;
  readonly certified: CertifiedKey;
  /** ECDHE: the named curve; DHE: the ffdhe group. */
  readonly group: number | undefined;
  /** Scheme for ServerKeyExchange (undefined for RSA key exchange). */
  readonly scheme: number | undefined;
}

export async function tls12Server(io: HandshakeIO, info: ClientHelloInfo): Promise<HandshakeSummary> {
  const cfg = info.config;
  const p = cfg.provider;
  const hello = info.hello;
  const ext = (t: number): Uint8Array | undefined => findExtension(hello.extensions, t);

  // RFC 5746 §3.6: an initial ClientHello's renegotiation_info must be empty.
  const ri = ext(ExtensionType.renegotiation_info);
  if (ri !== undefined && renegotiationInfo.decode(ri).length !== 0) {
    throw alertError('handshake_failure', 'renegotiation_info is not empty on the initial handshake');
  }
  const secureRenegotiation = ri !== undefined || hello.cipherSuites.includes(TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  const emsData = ext(ExtensionType.extended_master_secret);
  if (emsData !== undefined) expectEmpty(emsData, 'extended_master_secret');
  const useEms = emsData !== undefined;
  const groupsData = ext(ExtensionType.supported_groups);
  const clientGroups = groupsData === undefined ? [] : u16List.decode(groupsData, 'supported_groups');
  const pfData = ext(ExtensionType.ec_point_formats);
  const pointFormats = pfData === undefined ? undefined : ecPointFormats.decode(pfData);
  const saData = ext(ExtensionType.signature_algorithms);
  // RFC 5246 §7.4.1.4.1: without the extension the client supports only SHA-1 signatures, which we refuse.
  const clientSchemes = saData === undefined ? [] : u16List.decode(saData, 'signature_algorithms');
  const alpnProtocol = selectAlpn(cfg.alpnProtocols, info.clientAlpn);

  // --- Resumption: a session ticket (RFC 5077 §3.1) or a cached session ID (RFC 5246 §7.4.1.2) ----------
  const ticketData = ext(ExtensionType.session_ticket);
  const issueTicket = ticketData !== undefined && cfg.ticketKeys !== undefined;
  const found = findSession12(info, ticketData, useEms);
  const cached = isThenable(found) ? await found : found;
  if (cached) return resumed12Server(io, info, cached, { alpnProtocol, useEms, secureRenegotiation, issueTicket });

  const sel = selectSuite(info, clientGroups, pointFormats, clientSchemes);
  const suite = sel.suite;
  // Raw messages are kept only for a client CertificateVerify (RFC 5246 §7.4.8).
  const transcript = new Transcript(p, cfg.requestClientCertificate);
  transcript.setHash(suite.hash);
  transcript.add(info.helloMsg.raw);

  // --- ServerHello -------------------------------------------------------------------------
  const random = p.randomBytes(32);
  // RFC 8446 §4.1.3: a server able to do 1.3 marks its 1.2 random, so a downgraded client notices.
  if (cfg.maxVersion === 'TLSv1.3') random.set(DOWNGRADE_TLS12, 24);
  const exts: Extension[] = [];
  if (secureRenegotiation) exts.push({ type: ExtensionType.renegotiation_info, data: renegotiationInfo.encode(new Uint8Array(0)) });
  if (useEms) exts.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) });
  if (info.serverName !== undefined) exts.push({ type: ExtensionType.server_name, data: new Uint8Array(0) });
  if (suite.kx === 'ECDHE' && pointFormats !== undefined) exts.push({ type: ExtensionType.ec_point_formats, data: ecPointFormats.encode([0]) });
  if (alpnProtocol !== undefined) exts.push({ type: ExtensionType.application_layer_protocol_negotiation, data: alpnExt.encode([alpnProtocol]) });
  if (issueTicket) exts.push({ type: ExtensionType.session_ticket, data: new Uint8Array(0) });
  // A fresh session ID names the session in our cache (RFC 5246 §7.4.1.3) — unless the session goes
  // into a ticket: RFC 5077 §3.4, a server issuing a ticket SHOULD send an empty session ID (as
  // OpenSSL does; nothing is then cached for it).
  const sessionId = cfg.sessionCache !== undefined && !issueTicket ? p.randomBytes(32) : new Uint8Array(0);
  const shBody = ServerHelloCodec.encode({
    legacyVersion: 0x0303,
    random,
    legacySessionIdEcho: sessionId,
    cipherSuite: suite.id,
    legacyCompressionMethod: 0,
    extensions: exts,
  });
  transcript.add(io.sendHandshake(HandshakeType.server_hello, shBody));

  // --- Certificate ----------------------------------------------------------------------------
  const chain = sel.certified.chain;
  transcript.add(io.sendHandshake(HandshakeType.certificate, ownCertificateBody(chain, false)));

  // --- ServerKeyExchange (RFC 8422 §5.4, RFC 5246 §7.4.3) ---------------------------------------
  let agreement: KeyAgreement | undefined;
  if (suite.kx === 'ECDHE' || suite.kx === 'DHE') {
    let rawParams: Uint8Array;
    if (suite.kx === 'ECDHE') {
      agreement = p.startKeyExchangeSync !== undefined ? p.startKeyExchangeSync(sel.group!) : await p.startKeyExchange(sel.group!);
      rawParams = ServerKeyExchangeCodec.encodeParams({ kind: 'ECDHE', namedCurve: sel.group!, publicKey: agreement.publicShare });
    } else {
      const ff = FFDHE_GROUPS.get(sel.group!)!;
      agreement = await p.startDh(ff.p, ff.g);
      rawParams = ServerKeyExchangeCodec.encodeParams({ kind: 'DHE', p: ff.p, g: ff.g, publicKey: agreement.publicShare });
    }
    const signed = new Uint8Array(64 + rawParams.length);
    signed.set(hello.random, 0);
    signed.set(random, 32);
    signed.set(rawParams, 64);
    const key = sel.certified.key;
    const alg = signatureAlgorithmOf(sel.scheme!)!;
    const signature = key.signSync !== undefined ? key.signSync(alg, signed) : await key.sign(alg, signed);
    transcript.add(io.sendHandshake(HandshakeType.server_key_exchange, ServerKeyExchangeCodec.encode(rawParams, sel.scheme!, signature)));
  }

  // --- CertificateRequest (RFC 5246 §7.4.4) ----------------------------------------------------------
  const requestSchemes = cfg.signatureAlgorithms.filter((s) => signatureAlgorithmOf(s) !== undefined);
  if (cfg.requestClientCertificate) {
    const body = CertificateRequest12Codec.encode({
      certificateTypes: Uint8Array.of(ClientCertificateType.rsa_sign, ClientCertificateType.ecdsa_sign),
      signatureSchemes: requestSchemes,
      certificateAuthorities: cfg.clientCertificateAuthorities,
    });
    transcript.add(io.sendHandshake(HandshakeType.certificate_request, body));
  }
  transcript.add(io.sendHandshake(HandshakeType.server_hello_done, new Uint8Array(0)));

  // --- Client Certificate -------------------------------------------------------------------------------
  let clientChain: readonly Uint8Array[] = NO_CERTIFICATES;
  let authorized = false;
  let authorizationError: string | undefined;
  if (cfg.requestClientCertificate) {
    const m = await io.expect(HandshakeType.certificate);
    const cert = decodeMessage(m, (r) => CertificateCodec.decode(r, false, MAX_CERTIFICATE_CHAIN_LENGTH));
    transcript.add(m.raw);
    clientChain = cert.entries.map((e) => e.certData);
    if (clientChain.length === 0) {
      authorizationError = 'UNABLE_TO_GET_ISSUER_CERT';
      // RFC 5246 §7.4.6: a server that requires client authentication answers an empty list with handshake_failure.
      if (cfg.requireClientCertificate) throw alertError('handshake_failure', 'client did not send a certificate', 'ERR_TLS_PEER_CERTIFICATE_REQUIRED');
    } else {
      requireKeyUsage(clientChain[0]!, KeyUsage.digitalSignature, 'unsupported_certificate', 'client');
      const v = await cfg.verifyPeer({ chain: clientChain, hostname: undefined, purpose: 'clientAuth' });
      authorized = v.valid;
      authorizationError = v.valid ? undefined : v.code;
      if (!v.valid && cfg.requireClientCertificate) {
        throw alertError(v.alert ?? 'bad_certificate', v.message ?? `client certificate verification failed: ${v.code}`, v.code);
      }
    }
  }

  // --- ClientKeyExchange -----------------------------------------------------------------------------------
  const ckeMsg = await io.expect(HandshakeType.client_key_exchange);
  const exchangeKeys = decodeMessage(ckeMsg, (r) => ClientKeyExchangeCodec.decode(r, suite.kx as 'ECDHE' | 'DHE' | 'RSA'));
  transcript.add(ckeMsg.raw);
  let preMasterSecret: Uint8Array;
  if (suite.kx === 'RSA') {
    preMasterSecret = await rsaPreMaster(sel.certified, exchangeKeys, hello.legacyVersion, p.randomBytes(48));
  } else {
    try {
      preMasterSecret = agreement!.completeSync !== undefined ? agreement!.completeSync(exchangeKeys) : await agreement!.complete(exchangeKeys);
    } catch (e) {
      // RFC 7919 §4: a dh_Yc outside 1 < Yc < p-1 is handshake_failure; a bad EC point is illegal_parameter.
      if (e instanceof KeyExchangeError) {
        throw alertError(suite.kx === 'DHE' ? 'handshake_failure' : 'illegal_parameter', `client key share rejected: ${e.message}`, undefined, e);
      }
      throw e;
    }
    if (suite.kx === 'DHE') preMasterSecret = stripLeadingZeros(preMasterSecret);
  }
  const masterSecret = useEms
    ? extendedMasterSecret12(p, suite.hash, preMasterSecret, transcript.digest())
    : masterSecret12(p, suite.hash, preMasterSecret, hello.random, random);
  io.sink.keylog?.(keylogLine('CLIENT_RANDOM', hello.random, masterSecret));

  // --- CertificateVerify (RFC 5246 §7.4.8) -----------------------------------------------------------------
  let peerSignatureScheme: number | undefined;
  if (clientChain.length > 0) {
    const m = await io.expect(HandshakeType.certificate_verify);
    const cv = decodeMessage(m, (r) => CertificateVerifyCodec.decode(r));
    const spki = subjectPublicKeyInfoOf(clientChain[0]!);
    await verifyHandshakeSignature(p, spki, cv.signatureScheme, requestSchemes, 'TLSv1.2', transcript.messages(), cv.signature, 'client CertificateVerify');
    peerSignatureScheme = cv.signatureScheme;
    transcript.add(m.raw);
  }
  transcript.dropMessages();

  // --- ChangeCipherSpec, Finished ------------------------------------------------------------------------------
  const keys = keyExpansion12(p, suite.hash, masterSecret, hello.random, random, AEAD_KEY_LENGTH[suite.aead], fixedIvLength12(suite));
  await io.expectChangeCipherSpec();
  if (io.hasBufferedHandshakeData()) throw alertError('unexpected_message', 'handshake data before ChangeCipherSpec was not a whole message');
  io.setReadProtector(protector12(p, suite, keys.clientWriteKey, keys.clientWriteIv));
  const finMsg = await io.expect(HandshakeType.finished);
  const expected = finishedVerifyData12(p, suite.hash, masterSecret, 'client', transcript.digest());
  if (!timingSafeEqual(finMsg.body, expected)) throw alertError('decrypt_error', 'client Finished does not verify');
  transcript.add(finMsg.raw);

  // --- NewSessionTicket (RFC 5077 §3.3), ChangeCipherSpec, Finished ----------------------------------------------
  const session: SessionState = {
    version: 'TLSv1.2',
    cipherSuite: suite.id,
    secret: masterSecret,
    serverName: info.serverName,
    alpnProtocol,
    // Only a verified client certificate is remembered: resuming reports the session's certificates as authorized.
    peerCertificates: authorized ? clientChain : NO_CERTIFICATES,
    extendedMasterSecret: useEms,
    ticketLifetime: cfg.sessionTimeout ?? 7200,
    createdAt: cfg.now(),
  };
  if (issueTicket) transcript.add(io.sendHandshake(HandshakeType.new_session_ticket, newSessionTicket12(info, session)));
  io.sendChangeCipherSpec();
  io.setWriteProtector(protector12(p, suite, keys.serverWriteKey, keys.serverWriteIv));
  const verifyData = finishedVerifyData12(p, suite.hash, masterSecret, 'server', transcript.digest());
  transcript.add(io.sendHandshake(HandshakeType.finished, FinishedCodec.encode(verifyData)));
  if (sessionId.length > 0) {
    // An external store may take its time (Node's 'newSession' callback): completion waits for it.
    const stored = cfg.sessionCache?.set(sessionId, bindSession(cfg, session));
    if (isThenable(stored)) await stored;
  }
  io.exporter = exporter12(p, suite.hash, masterSecret, hello.random, random);

  return {
    version: 'TLSv1.2',
    cipherSuite: suite,
    group: sel.group,
    peerSignatureScheme,
    alpnProtocol,
    serverName: info.serverName,
    peerSignatureAlgorithms: offeredSchemes(info.hello),
    peerCertificates: clientChain,
    localCertificates: chain,
    resumed: false,
    extendedMasterSecret: useEms,
    authorized,
    authorizationError,
    earlyDataAccepted: false,
    roundTrips: 2,
  };
}

/**
 * A session to resume: the ticket's, when it opens (RFC 5077 §3.1), else the
 * cached one named by the session ID — if it fits this ClientHello: same
 * suite offered and still enabled, same server name, same extended master
 * secret use (RFC 7627 §5.3; otherwise a full handshake), within its lifetime,
 * established under the same client-authentication policy (tickets.ts sessionAllowed).
 */
function findSession12(info: ClientHelloInfo, ticketData: Uint8Array | undefined, useEms: boolean): SessionState | undefined | Promise<SessionState | undefined> {
  const cfg = info.config;
  let session: SessionState | undefined;
  if (ticketData !== undefined && ticketData.length > 0) session = openTicket(cfg, ticketData)?.session;
  if (session === undefined && info.hello.legacySessionId.length > 0) {
    const id = info.hello.legacySessionId;
    const found = cfg.sessionCache?.get(id);
    if (isThenable(found)) return Promise.resolve(found).then((s) => usableSession12(info, freshCached(cfg, id, s), useEms));
    session = freshCached(cfg, id, found);
  }
  return usableSession12(info, session, useEms);
}

/** A cached session within its lifetime; an expired one is dropped from the cache. */
function freshCached(cfg: ServerConfig, id: Uint8Array, s: SessionState | undefined): SessionState | undefined {
  if (s === undefined || sessionFresh(s, cfg.now(), cfg.sessionTimeout ?? 7200)) return s;
  cfg.sessionCache?.delete(id);
  return undefined;
}

/** The session, if this ClientHello may resume it. */
function usableSession12(info: ClientHelloInfo, session: SessionState | undefined, useEms: boolean): SessionState | undefined {
  const cfg = info.config;
  if (session === undefined || session.version !== 'TLSv1.2') return undefined;
  if (!info.hello.cipherSuites.includes(session.cipherSuite) || !cfg.cipherSuites.includes(session.cipherSuite)) return undefined;
  if (session.serverName !== info.serverName || (session.extendedMasterSecret ?? false) !== useEms) return undefined;
  // Established under another client-authentication policy, or without the certificate now required: full handshake.
  if (!sessionAllowed(cfg, session)) return undefined;
  return session;
}

function newSessionTicket12(info: ClientHelloInfo, session: SessionState): Uint8Array {
  const cfg = info.config;
  return NewSessionTicket12Codec.encode({ ticketLifetimeHint: cfg.sessionTimeout ?? 7200, ticket: sealTicket(cfg, cfg.ticketKeys!, session) });
}

/**
 * Abbreviated handshake (RFC 5246 §7.3, RFC 5077 §3.1):
 *
 *   ClientHello → ServerHello, NewSessionTicket*, [ChangeCipherSpec], Finished
 *   [ChangeCipherSpec] Finished →
 */
async function resumed12Server(
  io: HandshakeIO,
  info: ClientHelloInfo,
  session: SessionState,
  o: { alpnProtocol: string | undefined; useEms: boolean; secureRenegotiation: boolean; issueTicket: boolean },
): Promise<HandshakeSummary> {
  const cfg = info.config;
  const p = cfg.provider;
  const hello = info.hello;
  const suite = cipherSuiteInfo(session.cipherSuite)!;
  const transcript = new Transcript(p, false);
  transcript.setHash(suite.hash);
  transcript.add(info.helloMsg.raw);

  const random = p.randomBytes(32);
  if (cfg.maxVersion === 'TLSv1.3') random.set(DOWNGRADE_TLS12, 24);
  const exts: Extension[] = [];
  if (o.secureRenegotiation) exts.push({ type: ExtensionType.renegotiation_info, data: renegotiationInfo.encode(new Uint8Array(0)) });
  if (o.useEms) exts.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) });
  if (o.alpnProtocol !== undefined) exts.push({ type: ExtensionType.application_layer_protocol_negotiation, data: alpnExt.encode([o.alpnProtocol]) });
  if (o.issueTicket) exts.push({ type: ExtensionType.session_ticket, data: new Uint8Array(0) });
  // The server echoes the client's session ID to say "resumed" (RFC 5077 §3.4 for tickets too).
  const shBody = ServerHelloCodec.encode({
    legacyVersion: 0x0303,
    random,
    legacySessionIdEcho: hello.legacySessionId,
    cipherSuite: suite.id,
    legacyCompressionMethod: 0,
    extensions: exts,
  });
  transcript.add(io.sendHandshake(HandshakeType.server_hello, shBody));
  const masterSecret = session.secret;
  io.sink.keylog?.(keylogLine('CLIENT_RANDOM', hello.random, masterSecret));
  if (o.issueTicket) transcript.add(io.sendHandshake(HandshakeType.new_session_ticket, newSessionTicket12(info, { ...session, createdAt: cfg.now() })));

  const keys = keyExpansion12(p, suite.hash, masterSecret, hello.random, random, AEAD_KEY_LENGTH[suite.aead], fixedIvLength12(suite));
  io.sendChangeCipherSpec();
  io.setWriteProtector(protector12(p, suite, keys.serverWriteKey, keys.serverWriteIv));
  transcript.add(io.sendHandshake(HandshakeType.finished, FinishedCodec.encode(finishedVerifyData12(p, suite.hash, masterSecret, 'server', transcript.digest()))));

  await io.expectChangeCipherSpec();
  if (io.hasBufferedHandshakeData()) throw alertError('unexpected_message', 'handshake data before ChangeCipherSpec was not a whole message');
  io.setReadProtector(protector12(p, suite, keys.clientWriteKey, keys.clientWriteIv));
  const finMsg = await io.expect(HandshakeType.finished);
  if (!timingSafeEqual(finMsg.body, finishedVerifyData12(p, suite.hash, masterSecret, 'client', transcript.digest()))) {
    throw alertError('decrypt_error', 'client Finished does not verify');
  }
  transcript.add(finMsg.raw);
  io.exporter = exporter12(p, suite.hash, masterSecret, hello.random, random);

  return {
    version: 'TLSv1.2',
    cipherSuite: suite,
    group: undefined,
    peerSignatureScheme: undefined,
    alpnProtocol: o.alpnProtocol,
    serverName: info.serverName,
    peerSignatureAlgorithms: offeredSchemes(info.hello),
    peerCertificates: session.peerCertificates,
    localCertificates: NO_CERTIFICATES,
    resumed: true,
    extendedMasterSecret: o.useEms,
    authorized: session.peerCertificates.length > 0,
    authorizationError: undefined,
    earlyDataAccepted: false,
    roundTrips: 1,
  };
}

/**
 * Choose suite, certificate, group and signature scheme together: a suite is
 * usable only if we hold a certificate of its kind, can sign in a scheme the
 * client accepts, and (for ECDHE/DHE) share a group with the client.
 */
function selectSuite(
  info: ClientHelloInfo,
  clientGroups: readonly number[],
  pointFormats: readonly number[] | undefined,
  clientSchemes: readonly number[],
): Selection12 {
  const cfg = info.config;
  const p = cfg.provider;
  const ours = cfg.cipherSuites.filter((id) => cipherSuiteInfo(id)?.version === 'TLSv1.2');
  const theirs = info.hello.cipherSuites;
  const order = cfg.honorCipherOrder ? ours.filter((s) => theirs.includes(s)) : theirs.filter((s) => ours.includes(s));

  const ecGroup = (): number | undefined => {
    if (pointFormats !== undefined && !pointFormats.includes(0)) return undefined;
    const candidates = cfg.groups.filter((g) => EC_GROUPS.includes(g) && p.supportsGroup(g));
    // RFC 8422 §4: without supported_groups the client is assumed to support secp256r1.
    const client = clientGroups.length > 0 ? clientGroups : [NamedGroup.secp256r1];
    return cfg.honorCipherOrder ? candidates.find((g) => client.includes(g)) : client.find((g) => candidates.includes(g));
  };
  const dhGroup = (): number | undefined => {
    const ours = cfg.groups.filter(isFfdhe).filter((g) => FFDHE_GROUPS.has(g));
    const client = clientGroups.filter(isFfdhe);
    // RFC 7919 §4: a client listing no FFDHE group says nothing; we may pick our preferred group.
    if (client.length === 0) return ours[0];
    return ours.find((g) => client.includes(g));
  };

  for (const id of order) {
    const suite = cipherSuiteInfo(id)!;
    const group = suite.kx === 'ECDHE' ? ecGroup() : suite.kx === 'DHE' ? dhGroup() : undefined;
    if ((suite.kx === 'ECDHE' || suite.kx === 'DHE') && group === undefined) continue;
    for (const ck of info.certificates) {
      const kind = ck.key.kind;
      // RFC 8422 §5.1.1: the ECDSA suites also carry EdDSA certificates and signatures.
      if (suite.auth === 'ECDSA' ? kind !== 'ec' && kind !== 'ed25519' : kind !== 'rsa') continue;
      if (suite.kx === 'RSA') {
        if (ck.key.rsaDecryptRaw === undefined) continue;
        return { suite, certified: ck, group: undefined, scheme: undefined };
      }
      const scheme = chooseSignatureScheme(ck.key, clientSchemes, cfg.signatureAlgorithms, 'TLSv1.2');
      if (scheme !== undefined) return { suite, certified: ck, group, scheme };
    }
  }
  if (info.certificates.length === 0) throw alertError('handshake_failure', 'no server certificate configured');
  throw alertError('handshake_failure', 'no cipher suite, group and signature scheme in common with the client');
}

/**
 * RSA key exchange (RFC 5246 §7.4.7.1). To defeat Bleichenbacher's attack,
 * every failure — wrong length, bad padding, wrong version — silently
 * continues with a random pre-master secret; the handshake then fails at
 * Finished like any other wrong key, with no distinct alert or timing.
 */
async function rsaPreMaster(ck: CertifiedKey, encrypted: Uint8Array, clientVersion: number, random48: Uint8Array): Promise<Uint8Array> {
  let em: Uint8Array;
  try {
    em = await ck.key.rsaDecryptRaw!(encrypted);
  } catch {
    em = new Uint8Array((ck.key.bits + 7) >> 3);
  }
  return tlsPreMasterFromRsa(em, clientVersion, random48);
}

function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

export type { HandshakeMessage };

/** The signature schemes the client offered (for node:tls's getSharedSigalgs()); already validated when it was read. */
function offeredSchemes(h: { readonly extensions: readonly { readonly type: number; readonly data: Uint8Array }[] }): readonly number[] {
  const d = findExtension(h.extensions, ExtensionType.signature_algorithms);
  return d === undefined ? [] : u16List.decode(d, 'signature_algorithms');
}
