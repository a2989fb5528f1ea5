/**
 * TLS 1.3 client (RFC 8446 §2), from ServerHello on:
 *
 *   ClientHello (+key_share, +pre_shared_key, +early_data)
 *   (Application Data*, 0-RTT)                      →
 *                      ← ServerHello or HelloRetryRequest (then ClientHello again, §4.1.4)
 *                      ← {EncryptedExtensions}
 *                      ← {CertificateRequest*}
 *                      ← {Certificate*} {CertificateVerify*}   (not when resuming)
 *                      ← {Finished}
 *   (EndOfEarlyData)
 *   {Certificate*} {CertificateVerify*} {Finished}  →
 *   [Application Data]                             ↔
 *                      ← [NewSessionTicket], [KeyUpdate]
 *
 * () early traffic keys, {} handshake traffic keys, [] application traffic keys.
 */
import type { ClientConfig, SessionState } from '../config.js';
import type { HandshakeIO, HandshakeSummary } from '../connection.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { KeyExchangeError, type KeyAgreement } from '../crypto/provider.js';
import { alertError } from '../errors.js';
import {
  alpn as alpnExt,
  cookie as cookieExt,
  earlyData as earlyDataExt,
  expectEmpty,
  findExtension,
  keyShare,
  preSharedKey,
  supportedVersions,
  u16List,
  type Extension,
} from '../messages/extensions.js';
import {
  CertificateCodec,
  CertificateRequest13Codec,
  CertificateVerifyCodec,
  ClientHelloCodec,
  EncryptedExtensionsCodec,
  FinishedCodec,
  HELLO_RETRY_REQUEST_RANDOM,
  NewSessionTicket13Codec,
  ServerHelloCodec,
  decodeMessage,
  frameHandshake,
  type ClientHello,
  type HandshakeMessage,
  type ServerHello,
} from '../messages/handshake.js';
import { MAX_CERTIFICATE_CHAIN_LENGTH, MAX_TICKET_LIFETIME_SECONDS } from '../limits.js';
import {
  ExtensionType,
  HandshakeType,
  PskKeyExchangeMode,
  cipherSuiteInfo,
  groupName,
  type CipherSuiteInfo,
} from '../registry.js';
import { buildClientHello, offeredSuites, type ClientHelloOptions, type ClientHelloState } from './client.js';
import { KeyUsage, requireKeyUsage, subjectPublicKeyInfoOf } from './certs.js';
import { ENCRYPTED_EXTENSION_TYPES, bytesEqual, suiteOrFail } from './common.js';
import { EarlySecret, finishedVerifyData13, hashLength, resumptionPsk } from './keyschedule13.js';
import { certificateVerifyContent13, chooseSignatureScheme, signatureAlgorithmOf, verifyHandshakeSignature } from './signatures.js';
import { sessionFresh } from './tickets.js';
import { checkExtensions, installPostHandshake13, keylog, protectorFor, requireRecordBoundary } from './tls13-common.js';

/** The resumption PSK offered in the ClientHello (RFC 8446 §4.2.11). */
interface OfferedPsk {
  readonly session: SessionState;
  readonly suite: CipherSuiteInfo;
  readonly early: EarlySecret;
  readonly binderKey: Uint8Array;
}

/** What the TLS 1.3 side adds to the first ClientHello (PSK offer, early_data) and does after sending it (0-RTT). */
export interface ClientHelloHooks {
  readonly extra: readonly Extension[];
  readonly preSharedKey?: (helloWithoutPsk: ClientHello) => Extension;
  afterSend(io: HandshakeIO, hello: ClientHello, helloRaw: Uint8Array): void;
  readonly psk: OfferedPsk | undefined;
  /** 0-RTT: the bytes sent early (empty when none) and whether the dummy ChangeCipherSpec went with them. */
  readonly early: { sent: Uint8Array; ccsSent: boolean };
}

/** Whether `session` can be offered as a TLS 1.3 PSK by this client now. */
function resumable13(cfg: ClientConfig, session: SessionState | undefined): OfferedPsk | undefined {
  if (session === undefined || session.version !== 'TLSv1.3' || session.ticket === undefined) return undefined;
  const suite = cipherSuiteInfo(session.cipherSuite);
  if (suite === undefined || suite.version !== 'TLSv1.3') return undefined;
  // §4.6.1: a ticket is usable only with a suite of the same hash, and within its lifetime.
  if (!offeredSuites(cfg).some((id) => cipherSuiteInfo(id)?.version === 'TLSv1.3' && cipherSuiteInfo(id)?.hash === suite.hash)) return undefined;
  if (!sessionFresh(session, cfg.now(), MAX_TICKET_LIFETIME_SECONDS)) return undefined;
  const early = new EarlySecret(cfg.provider, suite.hash, session.secret);
  return { session, suite, early, binderKey: early.binderKey('res') };
}

export async function clientHelloHooks(cfg: ClientConfig): Promise<ClientHelloHooks> {
  const psk = resumable13(cfg, cfg.session);
  const early: { sent: Uint8Array; ccsSent: boolean } = { sent: new Uint8Array(0), ccsSent: false };
  if (psk === undefined) return { extra: [], afterSend() {}, psk, early };
  const session = psk.session;
  const data = cfg.earlyData;
  // §4.2.10: 0-RTT only with the ticket's suite and ALPN, and only as much as the ticket allows.
  const wantsEarly =
    data !== undefined &&
    data.length > 0 &&
    (session.maxEarlyData ?? 0) > 0 &&
    offeredSuites(cfg).includes(session.cipherSuite) &&
    (session.alpnProtocol === undefined || cfg.alpnProtocols.includes(session.alpnProtocol));
  return {
    extra: wantsEarly ? [{ type: ExtensionType.early_data, data: new Uint8Array(0) }] : [],
    preSharedKey: (hello) => pskExtension(cfg, psk, hello, (truncated) => cfg.provider.hash(psk.suite.hash, truncated)),
    afterSend(io, _hello, helloRaw) {
      if (!wantsEarly) return;
      const p = cfg.provider;
      const secret = psk.early.clientEarlyTrafficSecret(p.hash(psk.suite.hash, helloRaw));
      keylog(io, 'CLIENT_EARLY_TRAFFIC_SECRET', _hello.random, secret);
      // Appendix D.4: the dummy ChangeCipherSpec goes right after the first ClientHello when 0-RTT follows.
      io.sendChangeCipherSpec();
      early.ccsSent = true;
      io.setWriteProtector(protectorFor(p, psk.suite, secret));
      early.sent = data!.subarray(0, Math.min(data!.length, session.maxEarlyData!));
      io.sendEarlyData(early.sent);
    },
    psk,
    early,
  };
}

/**
 * RFC 8446 §4.2.11: the pre_shared_key extension with its binder, an HMAC
 * (keyed by the binder key) over the transcript up to and including the
 * ClientHello truncated before the binders list (§4.2.11.2).
 */
function pskExtension(cfg: ClientConfig, psk: OfferedPsk, hello: ClientHello, transcriptHashWith: (truncated: Uint8Array) => Uint8Array): Extension {
  const s = psk.session;
  const ageMs = Math.max(0, cfg.now() - s.createdAt);
  const identities = [{ identity: s.ticket!, obfuscatedTicketAge: (ageMs + (s.ticketAgeAdd ?? 0)) % 2 ** 32 }];
  const placeholder = [new Uint8Array(hashLength(psk.suite.hash))];
  const withPlaceholder = { ...hello, extensions: [...hello.extensions, { type: ExtensionType.pre_shared_key, data: preSharedKey.encodeClient({ identities, binders: placeholder }) }] };
  const framed = frameHandshake(HandshakeType.client_hello, ClientHelloCodec.encode(withPlaceholder));
  const truncated = framed.subarray(0, framed.length - preSharedKey.bindersLength(placeholder));
  const binder = finishedVerifyData13(cfg.provider, psk.suite.hash, psk.binderKey, transcriptHashWith(truncated));
  return { type: ExtensionType.pre_shared_key, data: preSharedKey.encodeClient({ identities, binders: [binder] }) };
}

const isHelloRetryRequest = (sh: ServerHello): boolean => bytesEqual(sh.random, HELLO_RETRY_REQUEST_RANDOM);

export async function tls13Client(
  io: HandshakeIO,
  st: ClientHelloState,
  firstSh: ServerHello,
  firstShMsg: HandshakeMessage,
  options: ClientHelloOptions,
): Promise<HandshakeSummary> {
  const cfg = st.config;
  const p = cfg.provider;
  const transcript = st.transcript;
  const hooks = st.tls13Hooks;
  const early: { sent: Uint8Array; ccsSent: boolean } = hooks?.early ?? { sent: new Uint8Array(0), ccsSent: false };
  const modes = cfg.pskModes ?? [PskKeyExchangeMode.psk_dhe_ke];
  let psk = hooks?.psk;
  let hello = st.hello;
  let keyShares: ReadonlyMap<number, KeyAgreement> = st.keyShares;
  let sh = firstSh;
  let shMsg = firstShMsg;
  let retried: CipherSuiteInfo | undefined;
  let ccsSent = early.ccsSent;

  // --- HelloRetryRequest (§4.1.4): the server wants another key share (or a cookie back) ---------------
  if (isHelloRetryRequest(sh)) {
    const suite = checkServerHello(st, sh, 'HelloRetryRequest');
    checkExtensions(
      sh.extensions,
      [ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.cookie],
      [...offeredTypes(hello), ExtensionType.cookie],
      'HelloRetryRequest',
    );
    const ks = findExtension(sh.extensions, ExtensionType.key_share);
    const ck = findExtension(sh.extensions, ExtensionType.cookie);
    if (ks === undefined && ck === undefined) throw alertError('illegal_parameter', 'HelloRetryRequest would not change the ClientHello');
    let nextShares = keyShares;
    if (ks !== undefined) {
      const group = keyShare.decodeRetry(ks);
      const offeredGroups = u16List.decode(findExtension(hello.extensions, ExtensionType.supported_groups)!, 'supported_groups');
      if (!offeredGroups.includes(group) || !p.supportsGroup(group)) {
        throw alertError('illegal_parameter', `HelloRetryRequest selects ${groupName(group)}, which was not offered`);
      }
      if (keyShares.has(group)) throw alertError('illegal_parameter', `HelloRetryRequest selects ${groupName(group)}, for which a share was sent`);
      nextShares = new Map([[group, await p.startKeyExchange(group)]]);
    }
    // §4.4.1: ClientHello1 becomes message_hash(Hash(ClientHello1)) in the transcript.
    transcript.setHash(suite.hash);
    transcript.replaceWithMessageHash();
    transcript.add(shMsg.raw);
    retried = suite;
    keyShares = nextShares;
    // 0-RTT is over (§4.2.10): the second ClientHello goes out in the clear, without early_data.
    io.setWriteProtector(null);
    if (psk !== undefined && psk.suite.hash !== suite.hash) psk = undefined;
    if (!ccsSent) {
      io.sendChangeCipherSpec(); // Appendix D.4
      ccsSent = true;
    }
    const pskNow = psk;
    const retryOptions: ClientHelloOptions = {
      random: options.random,
      sessionId: options.sessionId,
      keyShares,
      ...(ck !== undefined ? { cookie: cookieExt.decode(ck) } : {}),
      extra: (options.extra ?? []).filter((e) => e.type !== ExtensionType.early_data),
      ...(pskNow ? { preSharedKey: (h: ClientHello) => pskExtension(cfg, pskNow, h, (t) => transcript.digestWith(t)) } : {}),
    };
    hello = buildClientHello(cfg, retryOptions);
    transcript.add(io.sendHandshake(HandshakeType.client_hello, ClientHelloCodec.encode(hello)));

    shMsg = await io.expect(HandshakeType.server_hello);
    sh = decodeMessage(shMsg, (r) => ServerHelloCodec.decode(r));
    if (isHelloRetryRequest(sh)) throw alertError('unexpected_message', 'second HelloRetryRequest');
    const sv = findExtension(sh.extensions, ExtensionType.supported_versions);
    if (sv === undefined || supportedVersions.decodeServer(sv) !== 0x0304 || sh.legacyVersion !== 0x0303) {
      throw alertError('illegal_parameter', 'ServerHello after HelloRetryRequest does not select TLS 1.3');
    }
  }

  // --- ServerHello (§4.1.3) -------------------------------------------------------------------------------
  const suite = checkServerHello(st, sh, 'ServerHello');
  if (retried !== undefined && suite.id !== retried.id) throw alertError('illegal_parameter', 'ServerHello changes the cipher suite of the HelloRetryRequest');
  checkExtensions(sh.extensions, [ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.pre_shared_key], offeredTypes(hello), 'ServerHello');
  if (retried === undefined) transcript.setHash(suite.hash);
  transcript.add(shMsg.raw);

  let resumed: OfferedPsk | undefined;
  const pskData = findExtension(sh.extensions, ExtensionType.pre_shared_key);
  if (pskData !== undefined) {
    const selected = preSharedKey.decodeServer(pskData);
    if (psk === undefined || selected !== 0) throw alertError('illegal_parameter', `server selected PSK identity ${selected}, which was not offered`);
    if (psk.suite.hash !== suite.hash) throw alertError('illegal_parameter', 'server selected a PSK whose hash differs from the cipher suite');
    resumed = psk;
  }

  let shared: Uint8Array | undefined;
  let group: number | undefined;
  const ksData = findExtension(sh.extensions, ExtensionType.key_share);
  if (ksData !== undefined) {
    if (resumed !== undefined && !modes.includes(PskKeyExchangeMode.psk_dhe_ke)) throw alertError('illegal_parameter', 'key_share with a psk_ke resumption');
    const entry = keyShare.decodeServer(ksData);
    const agreement = keyShares.get(entry.group);
    if (agreement === undefined) throw alertError('illegal_parameter', `server key share for ${groupName(entry.group)}, which we sent no share for`);
    try {
      shared = await agreement.complete(entry.keyExchange);
    } catch (e) {
      if (e instanceof KeyExchangeError) throw alertError('illegal_parameter', `server key share rejected: ${e.message}`, undefined, e);
      throw e;
    }
    group = entry.group;
  } else if (resumed === undefined) {
    throw alertError('missing_extension', 'ServerHello carries no key_share');
  } else if (!modes.includes(PskKeyExchangeMode.psk_ke)) {
    throw alertError('missing_extension', 'ServerHello carries no key_share, but psk_ke was not offered');
  }

  // --- Handshake traffic keys (§7.1) ----------------------------------------------------------------------
  const earlySecret = resumed?.early ?? new EarlySecret(p, suite.hash);
  const hs = earlySecret.handshakeSecret(shared);
  const thHello = transcript.digest();
  const clientHs = hs.clientHandshakeTrafficSecret(thHello);
  const serverHs = hs.serverHandshakeTrafficSecret(thHello);
  keylog(io, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', st.random, clientHs);
  keylog(io, 'SERVER_HANDSHAKE_TRAFFIC_SECRET', st.random, serverHs);
  requireRecordBoundary(io, 'ServerHello');
  io.setReadProtector(protectorFor(p, suite, serverHs));

  // --- EncryptedExtensions (§4.3.1) -------------------------------------------------------------------------
  const eeMsg = await io.expect(HandshakeType.encrypted_extensions);
  const ee = decodeMessage(eeMsg, (r) => EncryptedExtensionsCodec.decode(r));
  transcript.add(eeMsg.raw);
  checkExtensions(ee, ENCRYPTED_EXTENSION_TYPES, offeredTypes(hello), 'EncryptedExtensions');
  let alpnProtocol: string | undefined;
  const alpnData = findExtension(ee, ExtensionType.application_layer_protocol_negotiation);
  if (alpnData !== undefined) {
    const list = alpnExt.decode(alpnData);
    if (list.length !== 1 || !cfg.alpnProtocols.includes(list[0]!)) throw alertError('illegal_parameter', 'server selected an ALPN protocol that was not offered');
    alpnProtocol = list[0];
  }
  const sni = findExtension(ee, ExtensionType.server_name);
  if (sni !== undefined) expectEmpty(sni, 'server_name');
  const earlyAck = findExtension(ee, ExtensionType.early_data);
  let earlyDataAccepted = false;
  if (earlyAck !== undefined) {
    expectEmpty(earlyAck, 'early_data');
    // §4.2.10: acceptance needs the first PSK, the ticket's suite and the ticket's ALPN.
    if (resumed === undefined || suite.id !== resumed.session.cipherSuite) throw alertError('illegal_parameter', 'early data accepted without the ticket\'s PSK and suite');
    if (alpnProtocol !== resumed.session.alpnProtocol) throw alertError('illegal_parameter', 'early data accepted with a different ALPN protocol');
    earlyDataAccepted = true;
  }

  // --- Server authentication (§4.4.2, §4.4.3), unless resuming ----------------------------------------------
  let certRequest: { context: Uint8Array; schemes: readonly number[] } | undefined;
  let peerCertificates: readonly Uint8Array[] = resumed?.session.peerCertificates ?? [];
  let peerSignatureScheme: number | undefined;
  let verification: { valid: boolean; code?: string } = { valid: true };
  if (resumed === undefined) {
    let next = await io.read();
    if (next.type === HandshakeType.certificate_request) {
      const crMsg = next as HandshakeMessage;
      const cr = decodeMessage(crMsg, (r) => CertificateRequest13Codec.decode(r));
      // §4.3.2: certificate_request_context is empty in the handshake; signature_algorithms is required.
      if (cr.certificateRequestContext.length !== 0) throw alertError('illegal_parameter', 'CertificateRequest context must be empty during the handshake');
      const sa = findExtension(cr.extensions, ExtensionType.signature_algorithms);
      if (sa === undefined) throw alertError('missing_extension', 'CertificateRequest carries no signature_algorithms');
      certRequest = { context: cr.certificateRequestContext, schemes: u16List.decode(sa, 'signature_algorithms') };
      transcript.add(crMsg.raw);
      next = await io.read();
    }
    if (next.type !== HandshakeType.certificate) throw alertError('unexpected_message', `expected Certificate, got ${String(next.type)}`);
    const certMsg = next as HandshakeMessage;
    const cert = decodeMessage(certMsg, (r) => CertificateCodec.decode(r, true, MAX_CERTIFICATE_CHAIN_LENGTH));
    if (cert.certificateRequestContext.length !== 0) throw alertError('illegal_parameter', 'server Certificate has a certificate_request_context');
    // §4.4.2.4: an empty server Certificate is decode_error.
    if (cert.entries.length === 0) throw alertError('decode_error', 'server sent an empty Certificate message');
    for (const e of cert.entries) checkExtensions(e.extensions, [], [], 'CertificateEntry');
    transcript.add(certMsg.raw);
    const chain = cert.entries.map((e) => e.certData);
    const spki = subjectPublicKeyInfoOf(chain[0]!);
    requireKeyUsage(chain[0]!, KeyUsage.digitalSignature, 'illegal_parameter', 'server');
    const v = await cfg.verifyPeer({ chain, hostname: cfg.verifyHostname, purpose: 'serverAuth' });
    if (!v.valid && cfg.rejectUnauthorized) {
      throw alertError(v.alert ?? 'bad_certificate', v.message ?? `certificate verification failed: ${v.code}`, v.code, v.error);
    }
    verification = v.code === undefined ? { valid: v.valid } : { valid: v.valid, code: v.code };

    const cvMsg = await io.expect(HandshakeType.certificate_verify);
    const cv = decodeMessage(cvMsg, (r) => CertificateVerifyCodec.decode(r));
    await verifyHandshakeSignature(p, spki, cv.signatureScheme, cfg.signatureAlgorithms, 'TLSv1.3', certificateVerifyContent13('server', transcript.digest()), cv.signature, 'server CertificateVerify');
    transcript.add(cvMsg.raw);
    peerCertificates = chain;
    peerSignatureScheme = cv.signatureScheme;
  }

  // --- Server Finished (§4.4.4) -------------------------------------------------------------------------------
  const finMsg = await io.expect(HandshakeType.finished);
  if (!timingSafeEqual(finMsg.body, finishedVerifyData13(p, suite.hash, serverHs, transcript.digest()))) {
    throw alertError('decrypt_error', 'server Finished does not verify');
  }
  transcript.add(finMsg.raw);
  const master = hs.masterSecret();
  const thServerFinished = transcript.digest();
  const clientAp = master.clientApplicationTrafficSecret0(thServerFinished);
  const serverAp = master.serverApplicationTrafficSecret0(thServerFinished);
  const exporterSecret = master.exporterMasterSecret(thServerFinished);
  keylog(io, 'CLIENT_TRAFFIC_SECRET_0', st.random, clientAp);
  keylog(io, 'SERVER_TRAFFIC_SECRET_0', st.random, serverAp);
  keylog(io, 'EXPORTER_SECRET', st.random, exporterSecret);
  requireRecordBoundary(io, 'server Finished');
  io.setReadProtector(protectorFor(p, suite, serverAp));

  // --- Our second flight: EndOfEarlyData, Certificate, CertificateVerify, Finished ------------------------------
  if (earlyDataAccepted) transcript.add(io.sendHandshake(HandshakeType.end_of_early_data, new Uint8Array(0))); // §4.5, under the early keys
  if (!ccsSent) io.sendChangeCipherSpec(); // Appendix D.4
  io.setWriteProtector(protectorFor(p, suite, clientHs));
  let localCertificates: readonly Uint8Array[] = [];
  if (certRequest) {
    let chosen: { key: ClientConfig['certificates'][number]; scheme: number } | undefined;
    for (const ck of cfg.certificates) {
      const scheme = chooseSignatureScheme(ck.key, certRequest.schemes, cfg.signatureAlgorithms, 'TLSv1.3');
      if (scheme !== undefined) {
        chosen = { key: ck, scheme };
        break;
      }
    }
    const entries = (chosen?.key.chain ?? []).map((c) => ({ certData: c, extensions: [] }));
    transcript.add(io.sendHandshake(HandshakeType.certificate, CertificateCodec.encode({ certificateRequestContext: certRequest.context, entries }, true)));
    if (chosen) {
      const signature = await chosen.key.key.sign(signatureAlgorithmOf(chosen.scheme)!, certificateVerifyContent13('client', transcript.digest()));
      transcript.add(io.sendHandshake(HandshakeType.certificate_verify, CertificateVerifyCodec.encode({ signatureScheme: chosen.scheme, signature })));
      localCertificates = chosen.key.chain;
    }
  }
  const verifyData = finishedVerifyData13(p, suite.hash, clientHs, transcript.digest());
  transcript.add(io.sendHandshake(HandshakeType.finished, FinishedCodec.encode(verifyData)));
  io.setWriteProtector(protectorFor(p, suite, clientAp));

  // --- After the handshake: tickets, KeyUpdate, exporters (§4.6, §7.5) ---------------------------------------------
  const resumptionMaster = master.resumptionMasterSecret(transcript.digest());
  installPostHandshake13(io, {
    p,
    suite,
    read: serverAp,
    write: clientAp,
    exporterMasterSecret: exporterSecret,
    other: (msg) => {
      if (msg.type !== HandshakeType.new_session_ticket) throw alertError('unexpected_message', `unexpected post-handshake message of type ${msg.type}`);
      const session = sessionFromTicket(cfg, suite, resumptionMaster, msg, alpnProtocol, peerCertificates);
      // A session from an unverified server (rejectUnauthorized: false) is not offered for resumption, which would report it authorized.
      if (session && verification.valid) io.sink.session?.(session);
    },
  });

  // §4.2.10: early data the server did not take is sent again, now as ordinary data.
  if (cfg.earlyData !== undefined) io.sendEarlyData(cfg.earlyData.subarray(earlyDataAccepted ? early.sent.length : 0));

  return {
    version: 'TLSv1.3',
    cipherSuite: suite,
    group,
    peerSignatureScheme,
    alpnProtocol,
    serverName: cfg.serverName,
    peerCertificates,
    localCertificates,
    resumed: resumed !== undefined,
    extendedMasterSecret: false,
    authorized: verification.valid,
    authorizationError: verification.valid ? undefined : verification.code,
    earlyDataAccepted,
    roundTrips: earlyDataAccepted ? 0 : retried ? 2 : 1,
  };
}

/** §4.1.3 / §4.1.4 checks a ServerHello and a HelloRetryRequest share; returns the suite. */
function checkServerHello(st: ClientHelloState, sh: ServerHello, what: string): CipherSuiteInfo {
  // Appendix D.4: the server echoes our legacy_session_id.
  if (!bytesEqual(sh.legacySessionIdEcho, st.sessionId)) throw alertError('illegal_parameter', `${what} does not echo legacy_session_id`);
  if (!st.offeredSuites.includes(sh.cipherSuite)) throw alertError('illegal_parameter', `${what} selects cipher suite 0x${sh.cipherSuite.toString(16)}, which was not offered`);
  const suite = suiteOrFail(sh.cipherSuite);
  if (suite.version !== 'TLSv1.3') throw alertError('illegal_parameter', `${what} selects TLS 1.2 suite ${suite.name} for TLS 1.3`);
  if (sh.legacyCompressionMethod !== 0) throw alertError('illegal_parameter', `${what} selects a compression method`);
  return suite;
}

const offeredTypes = (hello: ClientHello): number[] => hello.extensions.map((e) => e.type);

/** §4.6.1: a NewSessionTicket becomes a resumable session (or nothing, for a zero lifetime). */
function sessionFromTicket(
  cfg: ClientConfig,
  suite: CipherSuiteInfo,
  resumptionMaster: Uint8Array,
  msg: HandshakeMessage,
  alpnProtocol: string | undefined,
  peerCertificates: readonly Uint8Array[],
): SessionState | undefined {
  const t = decodeMessage(msg, (r) => NewSessionTicket13Codec.decode(r));
  if (t.ticketLifetime > MAX_TICKET_LIFETIME_SECONDS) throw alertError('illegal_parameter', `ticket lifetime ${t.ticketLifetime} s exceeds 7 days`);
  const ed = findExtension(t.extensions, ExtensionType.early_data);
  const maxEarlyData = ed === undefined ? 0 : earlyDataExt.decodeTicket(ed);
  if (t.ticketLifetime === 0) return undefined;
  return {
    version: 'TLSv1.3',
    cipherSuite: suite.id,
    secret: resumptionPsk(cfg.provider, suite.hash, resumptionMaster, t.ticketNonce),
    serverName: cfg.serverName,
    alpnProtocol,
    peerCertificates,
    ticket: t.ticket.slice(),
    ticketAgeAdd: t.ticketAgeAdd,
    ticketLifetime: t.ticketLifetime,
    maxEarlyData,
    createdAt: cfg.now(),
  };
}

