/**
 * TLS 1.3 server (RFC 8446 §2), from ClientHello on:
 *
 *   ClientHello (+key_share, +pre_shared_key, +early_data)  →
 *        (when no share fits: HelloRetryRequest ← and ClientHello again →, §4.1.4)
 *   ServerHello (+key_share, +pre_shared_key)
 *   {EncryptedExtensions}
 *   {CertificateRequest*}
 *   {Certificate} {CertificateVerify}        (not when resuming)
 *   {Finished}                                              ←
 *   (Application Data*)  (EndOfEarlyData)                   →  0-RTT, when accepted
 *   {Certificate*} {CertificateVerify*} {Finished}          →
 *   [NewSessionTicket]                                      ←
 *
 * () early traffic keys, {} handshake traffic keys, [] application traffic keys.
 */
import type { CertifiedKey, ServerConfig, SessionState } from '../config.js';
import type { HandshakeIO, HandshakeSummary } from '../connection.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { KeyExchangeError } from '../crypto/provider.js';
import { alertError } from '../errors.js';
import {
  alpn as alpnExt,
  cookie as cookieExt,
  earlyData as earlyDataExt,
  findExtension,
  keyShare,
  preSharedKey,
  pskModes as pskModesExt,
  supportedVersions,
  u16List,
  type Extension,
  type KeyShareEntry,
  type OfferedPsks,
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
  type ClientHello,
  type HandshakeMessage,
} from '../messages/handshake.js';
import { DEFAULT_MAX_EARLY_DATA, EARLY_DATA_AGE_WINDOW_MS, MAX_CERTIFICATE_CHAIN_LENGTH, MAX_TICKET_LIFETIME_SECONDS } from '../limits.js';
import { ExtensionType, HandshakeType, PskKeyExchangeMode, cipherSuiteInfo, groupName, type CipherSuiteInfo } from '../registry.js';
import { Writer } from '../wire/writer.js';
import { KeyUsage, ownCertificateBody, requireKeyUsage, subjectPublicKeyInfoOf } from './certs.js';
import { NO_CERTIFICATES, bytesEqual } from './common.js';
import { EarlySecret, finishedVerifyData13, resumptionPsk } from './keyschedule13.js';
import { selectAlpn, type ClientHelloInfo } from './server.js';
import { certificateVerifyContent13, chooseSignatureScheme, signatureAlgorithmOf, verifyHandshakeSignature } from './signatures.js';
import { isThenable, openTicket, sealTicket } from './tickets.js';
import { checkExtensions, installPostHandshake13, keylog, protectorFor, requireRecordBoundary } from './tls13-common.js';
import { Transcript } from './transcript.js';

const DEFAULT_SERVER_PSK_MODES: readonly number[] = [PskKeyExchangeMode.psk_dhe_ke, PskKeyExchangeMode.psk_ke];

/** A resumption PSK the server accepted (binder verified). */
interface AcceptedPsk {
  readonly index: number;
  readonly session: SessionState;
  readonly ticketId: Uint8Array;
  readonly obfuscatedTicketAge: number;
  /** The Early Secret from this PSK, once computed for the binder (the key schedule continues from it). */
  readonly earlySecret?: EarlySecret;
}

export async function tls13Server(io: HandshakeIO, info: ClientHelloInfo): Promise<HandshakeSummary> {
  const cfg = info.config;
  const p = cfg.provider;
  let hello = info.hello;
  let helloMsg = info.helloMsg;
  let parsed = checkClientHello13(hello);

  // --- Negotiation (§4.1.1): cipher suite, PSK mode, group --------------------------------------------------
  const suite = chooseSuite(cfg, hello);
  const alpnProtocol = selectAlpn(cfg.alpnProtocols, info.clientAlpn);
  const mode = pskMode(cfg, hello);
  const earlyOffered = findExtension(hello.extensions, ExtensionType.early_data) !== undefined;
  const skipBudget = Math.max(cfg.maxEarlyData ?? 0, DEFAULT_MAX_EARLY_DATA);
  // psk_ke needs no key share; anything else does.
  const pskOnly = mode === PskKeyExchangeMode.psk_ke && findPsk(cfg, info, hello, suite) !== undefined;
  let offer = pskOnly ? undefined : chooseGroup(cfg, hello, parsed);
  const transcript = new Transcript(p, false);
  transcript.setHash(suite.hash);
  let retried = false;
  let ccsSent = false;
  const middlebox = hello.legacySessionId.length > 0;

  // --- HelloRetryRequest (§4.1.4): no share for the group we want ----------------------------------------------
  if (offer !== undefined && offer.share === undefined) {
    const cookie = p.randomBytes(32);
    transcript.add(helloMsg.raw);
    transcript.replaceWithMessageHash();
    const hrr = ServerHelloCodec.encode({
      legacyVersion: 0x0303,
      random: HELLO_RETRY_REQUEST_RANDOM,
      legacySessionIdEcho: hello.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      extensions: [
        { type: ExtensionType.supported_versions, data: supportedVersions.encodeServer(0x0304) },
        { type: ExtensionType.key_share, data: keyShare.encodeRetry(offer.group) },
        { type: ExtensionType.cookie, data: cookieExt.encode(cookie) },
      ],
    });
    transcript.add(io.sendHandshake(HandshakeType.server_hello, hrr));
    if (middlebox) {
      io.sendChangeCipherSpec(); // Appendix D.4
      ccsSent = true;
    }
    if (earlyOffered) io.skipEarlyData(skipBudget); // §4.2.10: 0-RTT is rejected by a HelloRetryRequest
    helloMsg = await io.expect(HandshakeType.client_hello);
    const second = decodeMessage(helloMsg, (r) => ClientHelloCodec.decode(r));
    checkRetriedHello(hello, second, offer.group, cookie);
    parsed = checkClientHello13(second);
    hello = second;
    offer = chooseGroup(cfg, hello, parsed);
    if (offer?.share === undefined) throw alertError('illegal_parameter', 'second ClientHello has no share for the requested group');
    retried = true;
  }

  // --- PSK (§4.2.11): the first identity that is one of our tickets, with a binder that verifies ---------------
  const psk = mode === undefined ? undefined : findPsk(cfg, info, hello, suite, helloMsg, transcript);
  if (offer === undefined && !(psk !== undefined && mode === PskKeyExchangeMode.psk_ke)) {
    throw alertError('handshake_failure', 'no key exchange group in common with the client');
  }

  // --- 0-RTT (§4.2.10, §8): the first PSK, its suite and ALPN, a plausible age, and never twice --------------------
  // Only under a ticket issued with this server's anti-replay scope (tickets.ts AntiReplayStore): a server sharing
  // the ticket keys but not the store would accept a replayed first flight once more.
  const session = psk?.session;
  const antiReplay = cfg.antiReplay;
  let acceptEarly =
    earlyOffered &&
    !retried &&
    psk !== undefined &&
    psk.index === 0 &&
    (cfg.maxEarlyData ?? 0) > 0 &&
    (session!.maxEarlyData ?? 0) > 0 &&
    session!.cipherSuite === suite.id &&
    session!.alpnProtocol === alpnProtocol &&
    ageWithinWindow(cfg, psk) &&
    antiReplay !== undefined &&
    session!.earlyDataScope !== undefined &&
    bytesEqual(session!.earlyDataScope, antiReplay.scope);
  if (acceptEarly) {
    const first = antiReplay!.firstUse(psk!.ticketId, session!.createdAt + (session!.ticketLifetime ?? 0) * 1000, cfg.now());
    acceptEarly = isThenable(first) ? await first : first;
  }
  transcript.add(helloMsg.raw);
  // Transcript-Hash(ClientHello), only needed for the early traffic secret.
  const thClientHelloOnly = acceptEarly ? transcript.digest() : undefined;

  // Everything that can fail is settled before ServerHello, so an alert goes out under keys the client has.
  const auth = psk === undefined ? chooseCertificate(cfg, info, hello) : undefined;

  // --- ServerHello (§4.1.3) ------------------------------------------------------------------------------------
  let shared: Uint8Array | undefined;
  const shExts: Extension[] = [{ type: ExtensionType.supported_versions, data: supportedVersions.encodeServer(0x0304) }];
  const usesDhe = offer !== undefined && (psk === undefined || mode === PskKeyExchangeMode.psk_dhe_ke);
  if (usesDhe) {
    const share = offer!.share!;
    try {
      const response = p.respondKeyExchangeSync !== undefined ? p.respondKeyExchangeSync(share.group, share.keyExchange) : await p.respondKeyExchange(share.group, share.keyExchange);
      shared = response.sharedSecret;
      shExts.push({ type: ExtensionType.key_share, data: keyShare.encodeServer({ group: share.group, keyExchange: response.publicShare }) });
    } catch (e) {
      if (e instanceof KeyExchangeError) throw alertError('illegal_parameter', `client key share rejected: ${e.message}`, undefined, e);
      throw e;
    }
  }
  if (psk !== undefined) shExts.push({ type: ExtensionType.pre_shared_key, data: preSharedKey.encodeServer(psk.index) });
  const random = p.randomBytes(32);
  const shBody = ServerHelloCodec.encode({
    legacyVersion: 0x0303,
    random,
    legacySessionIdEcho: hello.legacySessionId,
    cipherSuite: suite.id,
    legacyCompressionMethod: 0,
    extensions: shExts,
  });
  transcript.add(io.sendHandshake(HandshakeType.server_hello, shBody));
  if (middlebox && !ccsSent) io.sendChangeCipherSpec(); // Appendix D.4

  // --- Key schedule to the handshake traffic secrets (§7.1) ----------------------------------------------------
  const earlySecret = psk?.earlySecret ?? new EarlySecret(p, suite.hash, session?.secret);
  const clientEarly = thClientHelloOnly !== undefined ? earlySecret.clientEarlyTrafficSecret(thClientHelloOnly) : undefined;
  const hs = earlySecret.handshakeSecret(shared);
  const thHello = transcript.digest();
  const clientHs = hs.clientHandshakeTrafficSecret(thHello);
  const serverHs = hs.serverHandshakeTrafficSecret(thHello);
  if (clientEarly) keylog(io, 'CLIENT_EARLY_TRAFFIC_SECRET', hello.random, clientEarly);
  keylog(io, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', hello.random, clientHs);
  keylog(io, 'SERVER_HANDSHAKE_TRAFFIC_SECRET', hello.random, serverHs);
  io.setWriteProtector(protectorFor(p, suite, serverHs));

  // --- EncryptedExtensions (§4.3.1) ----------------------------------------------------------------------------
  const ee: Extension[] = [];
  // RFC 6066 §3: acknowledge SNI, except when resuming.
  if (info.serverName !== undefined && psk === undefined) ee.push({ type: ExtensionType.server_name, data: new Uint8Array(0) });
  if (alpnProtocol !== undefined) ee.push({ type: ExtensionType.application_layer_protocol_negotiation, data: alpnExt.encode([alpnProtocol]) });
  if (acceptEarly) ee.push({ type: ExtensionType.early_data, data: new Uint8Array(0) });
  transcript.add(io.sendHandshake(HandshakeType.encrypted_extensions, EncryptedExtensionsCodec.encode(ee)));

  // --- CertificateRequest, Certificate, CertificateVerify (§4.3.2, §4.4.2, §4.4.3), unless resuming ------------------
  const requestCertificate = cfg.requestClientCertificate && psk === undefined;
  const requestSchemes = requestCertificate ? cfg.signatureAlgorithms.filter((s) => signatureAlgorithmOf(s) !== undefined) : [];
  let localCertificates: readonly Uint8Array[] = NO_CERTIFICATES;
  if (auth !== undefined) {
    if (requestCertificate) {
      const exts: Extension[] = [{ type: ExtensionType.signature_algorithms, data: u16List.encode(requestSchemes) }];
      if (cfg.clientCertificateAuthorities.length > 0) {
        exts.push({ type: ExtensionType.certificate_authorities, data: certificateAuthorities(cfg.clientCertificateAuthorities) });
      }
      transcript.add(io.sendHandshake(HandshakeType.certificate_request, CertificateRequest13Codec.encode({ certificateRequestContext: new Uint8Array(0), extensions: exts })));
    }
    const { certified, scheme } = auth;
    transcript.add(io.sendHandshake(HandshakeType.certificate, ownCertificateBody(certified.chain, true)));
    const alg = signatureAlgorithmOf(scheme)!;
    const content = certificateVerifyContent13('server', transcript.digest());
    const signature = certified.key.signSync !== undefined ? certified.key.signSync(alg, content) : await certified.key.sign(alg, content);
    transcript.add(io.sendHandshake(HandshakeType.certificate_verify, CertificateVerifyCodec.encode({ signatureScheme: scheme, signature })));
    localCertificates = certified.chain;
  }

  // --- Finished (§4.4.4), then application keys for writing ---------------------------------------------------------
  transcript.add(io.sendHandshake(HandshakeType.finished, FinishedCodec.encode(finishedVerifyData13(p, suite.hash, serverHs, transcript.digest()))));
  const master = hs.masterSecret();
  const thServerFinished = transcript.digest();
  const clientAp = master.clientApplicationTrafficSecret0(thServerFinished);
  const serverAp = master.serverApplicationTrafficSecret0(thServerFinished);
  const exporterSecret = master.exporterMasterSecret(thServerFinished);
  keylog(io, 'CLIENT_TRAFFIC_SECRET_0', hello.random, clientAp);
  keylog(io, 'SERVER_TRAFFIC_SECRET_0', hello.random, serverAp);
  keylog(io, 'EXPORTER_SECRET', hello.random, exporterSecret);
  io.setWriteProtector(protectorFor(p, suite, serverAp));

  // --- Early data, up to EndOfEarlyData (§4.5), or skipping what we refused ---------------------------------------------
  requireRecordBoundary(io, 'ClientHello');
  if (clientEarly) {
    io.setReadProtector(protectorFor(p, suite, clientEarly));
    io.acceptEarlyData(Math.min(cfg.maxEarlyData ?? 0, session!.maxEarlyData ?? 0));
    const eoed = await io.expect(HandshakeType.end_of_early_data);
    if (eoed.body.length !== 0) throw alertError('decode_error', 'EndOfEarlyData is not empty');
    io.endEarlyData();
    transcript.add(eoed.raw);
    requireRecordBoundary(io, 'EndOfEarlyData');
  } else if (earlyOffered && !retried) {
    io.skipEarlyData(skipBudget);
  }
  io.setReadProtector(protectorFor(p, suite, clientHs));

  // --- Client Certificate, CertificateVerify (§4.4.2.4) ---------------------------------------------------------------
  let peerCertificates: readonly Uint8Array[] = session?.peerCertificates ?? NO_CERTIFICATES;
  let peerSignatureScheme: number | undefined;
  let authorized = psk !== undefined && peerCertificates.length > 0;
  let authorizationError: string | undefined;
  if (requestCertificate) {
    const certMsg = await io.expect(HandshakeType.certificate);
    const cert = decodeMessage(certMsg, (r) => CertificateCodec.decode(r, true, MAX_CERTIFICATE_CHAIN_LENGTH));
    if (cert.certificateRequestContext.length !== 0) throw alertError('illegal_parameter', 'client Certificate context differs from the CertificateRequest');
    for (const e of cert.entries) checkExtensions(e.extensions, [], [], 'CertificateEntry');
    transcript.add(certMsg.raw);
    const chain = cert.entries.map((e) => e.certData);
    if (chain.length === 0) {
      authorizationError = 'UNABLE_TO_GET_ISSUER_CERT';
      if (cfg.requireClientCertificate) throw alertError('certificate_required', 'client did not send a certificate', 'ERR_TLS_PEER_CERTIFICATE_REQUIRED');
    } else {
      requireKeyUsage(chain[0]!, KeyUsage.digitalSignature, 'illegal_parameter', 'client');
      const v = await cfg.verifyPeer({ chain, hostname: undefined, purpose: 'clientAuth' });
      if (!v.valid && cfg.requireClientCertificate) {
        throw alertError(v.alert ?? 'bad_certificate', v.message ?? `client certificate verification failed: ${v.code}`, v.code);
      }
      authorized = v.valid;
      authorizationError = v.valid ? undefined : v.code;
      const cvMsg = await io.expect(HandshakeType.certificate_verify);
      const cv = decodeMessage(cvMsg, (r) => CertificateVerifyCodec.decode(r));
      const spki = subjectPublicKeyInfoOf(chain[0]!);
      await verifyHandshakeSignature(p, spki, cv.signatureScheme, requestSchemes, 'TLSv1.3', certificateVerifyContent13('client', transcript.digest()), cv.signature, 'client CertificateVerify');
      transcript.add(cvMsg.raw);
      peerCertificates = chain;
      peerSignatureScheme = cv.signatureScheme;
    }
  }

  // --- Client Finished (§4.4.4) -------------------------------------------------------------------------------------------
  const finMsg = await io.expect(HandshakeType.finished);
  if (!timingSafeEqual(finMsg.body, finishedVerifyData13(p, suite.hash, clientHs, transcript.digest()))) {
    throw alertError('decrypt_error', 'client Finished does not verify');
  }
  transcript.add(finMsg.raw);
  requireRecordBoundary(io, 'client Finished');
  io.setReadProtector(protectorFor(p, suite, clientAp));

  // --- NewSessionTicket (§4.6.1), post-handshake machinery ---------------------------------------------------------------------
  const resumptionMaster = master.resumptionMasterSecret(transcript.finalDigest());
  // Only a verified client certificate goes into tickets: resuming reports it as authorized.
  sendTickets(io, cfg, info, hello, suite, resumptionMaster, alpnProtocol, authorized ? peerCertificates : NO_CERTIFICATES, psk !== undefined);
  installPostHandshake13(io, { p, suite, read: clientAp, write: serverAp, exporterMasterSecret: exporterSecret });

  return {
    version: 'TLSv1.3',
    cipherSuite: suite,
    group: usesDhe ? offer!.group : undefined,
    peerSignatureScheme,
    alpnProtocol,
    serverName: info.serverName,
    peerSignatureAlgorithms: offeredSchemes(info.hello),
    peerCertificates,
    localCertificates,
    resumed: psk !== undefined,
    extendedMasterSecret: false,
    authorized,
    authorizationError,
    earlyDataAccepted: acceptEarly,
    roundTrips: acceptEarly ? 0 : retried ? 2 : 1,
  };
}

/** supported_groups and key_share of a ClientHello, parsed once (both absent, or both present: §9.2). */
interface OfferedGroups {
  readonly groups: readonly number[];
  readonly shares: readonly KeyShareEntry[];
}

/** §4.1.2 and §4.2 rules every TLS 1.3 ClientHello must follow; returns its groups and shares. */
function checkClientHello13(hello: ClientHello): OfferedGroups | undefined {
  // §4.1.2 and Appendix D: legacy_version is 0x0303; one below is an old-version hello (protocol_version, as OpenSSL).
  if (hello.legacyVersion < 0x0303) throw alertError('protocol_version', `TLS 1.3 ClientHello legacy_version is 0x${hello.legacyVersion.toString(16)}, below 0x0303`);
  if (hello.legacyVersion !== 0x0303) throw alertError('illegal_parameter', `TLS 1.3 ClientHello legacy_version is 0x${hello.legacyVersion.toString(16)}, not 0x0303`);
  if (hello.legacyCompressionMethods.length !== 1 || hello.legacyCompressionMethods[0] !== 0) {
    throw alertError('illegal_parameter', 'TLS 1.3 ClientHello must offer only the null compression method');
  }
  const has = (t: number): boolean => findExtension(hello.extensions, t) !== undefined;
  const last = hello.extensions[hello.extensions.length - 1];
  // §4.2.11: pre_shared_key is the last extension, and needs psk_key_exchange_modes.
  if (has(ExtensionType.pre_shared_key)) {
    if (last?.type !== ExtensionType.pre_shared_key) throw alertError('illegal_parameter', 'pre_shared_key is not the last extension');
    if (!has(ExtensionType.psk_key_exchange_modes)) throw alertError('missing_extension', 'pre_shared_key without psk_key_exchange_modes');
  }
  // §9.2: supported_groups and key_share come together.
  if (has(ExtensionType.key_share) !== has(ExtensionType.supported_groups)) {
    throw alertError('missing_extension', 'key_share and supported_groups must be sent together');
  }
  if (!has(ExtensionType.key_share) && !has(ExtensionType.pre_shared_key)) throw alertError('missing_extension', 'ClientHello carries neither key_share nor pre_shared_key');
  if (!has(ExtensionType.key_share)) return undefined;
  const groups = u16List.decode(findExtension(hello.extensions, ExtensionType.supported_groups)!, 'supported_groups');
  const shares = keyShare.decodeClient(findExtension(hello.extensions, ExtensionType.key_share)!);
  for (const share of shares) {
    // §4.2.8: every share must be for a group the client lists.
    if (!groups.includes(share.group)) throw alertError('illegal_parameter', `key share for ${groupName(share.group)}, which is not in supported_groups`);
  }
  return { groups, shares };
}

/** §4.1.4: the second ClientHello is the first with the requested share and our cookie — and nothing else new. */
function checkRetriedHello(first: ClientHello, second: ClientHello, group: number, cookie: Uint8Array): void {
  const same =
    second.legacyVersion === first.legacyVersion &&
    bytesEqual(second.random, first.random) &&
    bytesEqual(second.legacySessionId, first.legacySessionId) &&
    second.cipherSuites.length === first.cipherSuites.length &&
    second.cipherSuites.every((s, i) => s === first.cipherSuites[i]) &&
    bytesEqual(second.legacyCompressionMethods, first.legacyCompressionMethods);
  if (!same) throw alertError('illegal_parameter', 'second ClientHello differs from the first beyond what HelloRetryRequest allows');
  if (findExtension(second.extensions, ExtensionType.early_data) !== undefined) throw alertError('illegal_parameter', 'early_data in the second ClientHello');
  const ck = findExtension(second.extensions, ExtensionType.cookie);
  if (ck === undefined) throw alertError('missing_extension', 'second ClientHello does not return the cookie');
  if (!bytesEqual(cookieExt.decode(ck), cookie)) throw alertError('illegal_parameter', 'second ClientHello returns a different cookie');
  const ks = findExtension(second.extensions, ExtensionType.key_share);
  const shares = ks === undefined ? [] : keyShare.decodeClient(ks);
  if (shares.length !== 1 || shares[0]!.group !== group) {
    throw alertError('illegal_parameter', `second ClientHello must carry exactly one share, for ${groupName(group)}`);
  }
  const sv = findExtension(second.extensions, ExtensionType.supported_versions);
  if (sv === undefined || !supportedVersions.decodeClient(sv).includes(0x0304)) throw alertError('illegal_parameter', 'second ClientHello drops TLS 1.3');
}

function chooseSuite(cfg: ServerConfig, hello: ClientHello): CipherSuiteInfo {
  const ours = cfg.cipherSuites.filter((id) => cipherSuiteInfo(id)?.version === 'TLSv1.3');
  const theirs = hello.cipherSuites;
  const order = cfg.honorCipherOrder ? ours.filter((s) => theirs.includes(s)) : theirs.filter((s) => ours.includes(s));
  const id = order[0];
  if (id === undefined) throw alertError('handshake_failure', 'no TLS 1.3 cipher suite in common with the client');
  return cipherSuiteInfo(id)!;
}

/**
 * The group for (EC)DHE: our preference among the client's groups, taking one
 * the client already sent a share for when there is any (no extra round trip).
 * `share` undefined means a HelloRetryRequest is needed.
 */
function chooseGroup(cfg: ServerConfig, hello: ClientHello, offered: OfferedGroups | undefined): { group: number; share: KeyShareEntry | undefined } | undefined {
  if (offered === undefined) return undefined;
  const { groups: clientGroups, shares } = offered;
  // RFC 8446 §4.2.7: the RFC 7919 ffdhe groups count as much as the curves; our order decides (its size, too).
  const common = cfg.groups.filter((g) => cfg.provider.supportsGroup(g) && clientGroups.includes(g));
  const withShare = common.find((g) => shares.some((s) => s.group === g));
  if (withShare !== undefined) return { group: withShare, share: shares.find((s) => s.group === withShare) };
  if (common.length === 0) {
    if (findExtension(hello.extensions, ExtensionType.pre_shared_key) !== undefined) return undefined;
    throw alertError('handshake_failure', 'no key exchange group in common with the client');
  }
  return { group: common[0]!, share: undefined };
}

/** §4.2.9: psk_dhe_ke when both sides allow it, else psk_ke, else no PSK at all. */
function pskMode(cfg: ServerConfig, hello: ClientHello): number | undefined {
  const data = findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes);
  if (data === undefined || findExtension(hello.extensions, ExtensionType.pre_shared_key) === undefined) return undefined;
  const theirs = pskModesExt.decode(data);
  const ours = cfg.pskModes ?? DEFAULT_SERVER_PSK_MODES;
  if (theirs.includes(PskKeyExchangeMode.psk_dhe_ke) && ours.includes(PskKeyExchangeMode.psk_dhe_ke)) return PskKeyExchangeMode.psk_dhe_ke;
  if (theirs.includes(PskKeyExchangeMode.psk_ke) && ours.includes(PskKeyExchangeMode.psk_ke)) return PskKeyExchangeMode.psk_ke;
  return undefined;
}

/**
 * The PSK to resume with (§4.2.11): the first identity that opens as one of
 * our TLS 1.3 tickets, fresh, for this suite's hash and server name. An
 * unknown identity is skipped (a full handshake follows); a known one whose
 * binder does not verify is fatal (decrypt_error). Without `helloMsg` this
 * only looks (before a HelloRetryRequest, to pick psk_ke or not).
 */
function findPsk(
  cfg: ServerConfig,
  info: ClientHelloInfo,
  hello: ClientHello,
  suite: CipherSuiteInfo,
  helloMsg?: HandshakeMessage,
  transcript?: Transcript,
): AcceptedPsk | undefined {
  const data = findExtension(hello.extensions, ExtensionType.pre_shared_key);
  if (data === undefined) return undefined;
  const offer: OfferedPsks = preSharedKey.decodeClient(data);
  for (let i = 0; i < offer.identities.length; i++) {
    const id = offer.identities[i]!;
    const opened = openTicket(cfg, id.identity);
    if (opened === undefined) continue;
    const s = opened.session;
    if (s.version !== 'TLSv1.3' || cipherSuiteInfo(s.cipherSuite)?.hash !== suite.hash || s.serverName !== info.serverName) continue;
    if (helloMsg === undefined || transcript === undefined) return { index: i, session: s, ticketId: opened.id, obfuscatedTicketAge: id.obfuscatedTicketAge };
    // §4.2.11.2: the binder covers the transcript up to this ClientHello, truncated before the binders.
    const truncated = helloMsg.raw.subarray(0, helloMsg.raw.length - preSharedKey.bindersLength(offer.binders));
    const earlySecret = new EarlySecret(cfg.provider, suite.hash, s.secret);
    const expected = finishedVerifyData13(cfg.provider, suite.hash, earlySecret.binderKey('res'), transcript.digestWith(truncated));
    if (!timingSafeEqual(offer.binders[i]!, expected)) throw alertError('decrypt_error', 'PSK binder does not verify');
    return { index: i, session: s, ticketId: opened.id, obfuscatedTicketAge: id.obfuscatedTicketAge, earlySecret };
  }
  return undefined;
}

/** §8.3: the client's idea of the ticket's age must be close to ours for 0-RTT. */
function ageWithinWindow(cfg: ServerConfig, psk: AcceptedPsk): boolean {
  const clientAge = (psk.obfuscatedTicketAge - (psk.session.ticketAgeAdd ?? 0)) >>> 0;
  const serverAge = cfg.now() - psk.session.createdAt;
  return Math.abs(clientAge - serverAge) <= EARLY_DATA_AGE_WINDOW_MS;
}

/** A certificate and a scheme the client accepts (§4.4.2.2). */
function chooseCertificate(cfg: ServerConfig, info: ClientHelloInfo, hello: ClientHello): { certified: CertifiedKey; scheme: number } {
  const sa = findExtension(hello.extensions, ExtensionType.signature_algorithms);
  if (sa === undefined) throw alertError('missing_extension', 'ClientHello carries no signature_algorithms');
  const clientSchemes = u16List.decode(sa, 'signature_algorithms');
  if (info.certificates.length === 0) throw alertError('handshake_failure', 'no server certificate configured');
  for (const ck of info.certificates) {
    const scheme = chooseSignatureScheme(ck.key, clientSchemes, cfg.signatureAlgorithms, 'TLSv1.3');
    if (scheme !== undefined) return { certified: ck, scheme };
  }
  throw alertError('handshake_failure', 'no certificate and signature scheme in common with the client');
}

/** §4.2.4: DistinguishedName authorities<3..2^16-1>. */
function certificateAuthorities(names: readonly Uint8Array[]): Uint8Array {
  const w = new Writer(256);
  w.vec16(() => names.forEach((n) => w.opaque16(n)));
  return w.finish();
}

/** §4.6.1: tickets carrying the resumption PSK for each nonce, sealed with our ticket keys. */
function sendTickets(
  io: HandshakeIO,
  cfg: ServerConfig,
  info: ClientHelloInfo,
  hello: ClientHello,
  suite: CipherSuiteInfo,
  resumptionMaster: Uint8Array,
  alpnProtocol: string | undefined,
  peerCertificates: readonly Uint8Array[],
  resumed: boolean,
): void {
  const keys = cfg.ticketKeys;
  // As OpenSSL (SSL_CTX_set_num_tickets): after a resumption, at most one ticket replaces the one used.
  const count = resumed ? Math.min(cfg.ticketCount ?? 1, 1) : (cfg.ticketCount ?? 1);
  // §4.2.9: no tickets for a client that cannot use them.
  const modes = findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes);
  const ours = cfg.pskModes ?? DEFAULT_SERVER_PSK_MODES;
  if (keys === undefined || count <= 0 || modes === undefined || !pskModesExt.decode(modes).some((m) => ours.includes(m))) return;
  const lifetime = Math.min(cfg.sessionTimeout ?? 7200, MAX_TICKET_LIFETIME_SECONDS);
  const maxEarlyData = cfg.maxEarlyData ?? 0;
  // One draw of randomness for every ticket's ticket_age_add.
  const random = cfg.provider.randomBytes(4 * count);
  const extensions: Extension[] = maxEarlyData > 0 ? [{ type: ExtensionType.early_data, data: earlyDataExt.encodeTicket(maxEarlyData) }] : [];
  for (let i = 0; i < count; i++) {
    const nonce = Uint8Array.of(i);
    const r = 4 * i;
    const ageAdd = ((random[r]! << 24) | (random[r + 1]! << 16) | (random[r + 2]! << 8) | random[r + 3]!) >>> 0;
    const state: SessionState = {
      version: 'TLSv1.3',
      cipherSuite: suite.id,
      secret: resumptionPsk(cfg.provider, suite.hash, resumptionMaster, nonce),
      serverName: info.serverName,
      alpnProtocol,
      peerCertificates,
      ticketAgeAdd: ageAdd,
      ticketLifetime: lifetime,
      maxEarlyData,
      createdAt: cfg.now(),
    };
    const ticket = sealTicket(cfg, keys, state);
    const body = NewSessionTicket13Codec.encode({ ticketLifetime: lifetime, ticketAgeAdd: ageAdd, ticketNonce: nonce, ticket, extensions });
    io.sendHandshake(HandshakeType.new_session_ticket, body);
  }
}

/** The signature schemes the client offered (for node:tls's getSharedSigalgs()); already validated when it was read. */
function offeredSchemes(h: { readonly extensions: readonly { readonly type: number; readonly data: Uint8Array }[] }): readonly number[] {
  const d = findExtension(h.extensions, ExtensionType.signature_algorithms);
  return d === undefined ? [] : u16List.decode(d, 'signature_algorithms');
}
