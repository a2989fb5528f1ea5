/**
 * Handshake messages and extensions decoded into Wireshark-shaped trees.
 *
 * All decoding goes through the codecs in src/messages; this module only lays
 * the results out with Wireshark's field names, order and value formats
 * (compare /work/shared/reference/tshark-*.txt). It never throws: a message the
 * codecs reject is shown as "[Malformed …]" with its bytes.
 */
import {
  CertificateCodec,
  CertificateRequest12Codec,
  CertificateRequest13Codec,
  CertificateVerifyCodec,
  ClientHelloCodec,
  ClientKeyExchangeCodec,
  EncryptedExtensionsCodec,
  FinishedCodec,
  HELLO_RETRY_REQUEST_RANDOM,
  KeyUpdateCodec,
  NewSessionTicket12Codec,
  NewSessionTicket13Codec,
  ServerHelloCodec,
  ServerKeyExchangeCodec,
  decodeMessage,
  type ServerHello,
} from '../messages/handshake.js';
import {
  alpn,
  cookie,
  earlyData,
  ecPointFormats,
  keyShare,
  preSharedKey,
  pskModes,
  renegotiationInfo,
  serverName,
  supportedVersions,
  u16List,
  decodeBody,
  findExtension,
  type Extension,
} from '../messages/extensions.js';
import {
  ExtensionType,
  HandshakeType,
  cipherSuiteInfo,
  cipherSuiteName,
  groupName,
  handshakeTypeName,
  signatureSchemeName,
  type KeyExchangeKind,
  type VersionName,
} from '../registry.js';
import { MAX_CERTIFICATE_CHAIN_LENGTH } from '../limits.js';
import { ffdheGroupOf } from '../crypto/ffdhe.js';
import type { Reader } from '../wire/reader.js';
import { distinguishedNameString, summarizeCertificate } from './certificate-summary.js';
import {
  clientCertificateTypeTitle,
  ecPointFormatName,
  extensionTitle,
  extensionTypeValue,
  handshakeTitle,
  hex4,
  keyUpdateRequestName,
  plural,
  pskModeValue,
  secondsValue,
  versionValue,
} from './names.js';
import { bytesField, field, group, note, type TraceNode } from './tree.js';

/** What the decoder needs to know about the connection (TLS 1.3 and the key exchange change some layouts). */
export interface MessageContext {
  /** Negotiated version; undefined before ServerHello (then layouts that differ are guessed). */
  readonly version?: VersionName | undefined;
  /** Negotiated key exchange (from the cipher suite), for ServerKeyExchange/ClientKeyExchange. */
  readonly kx?: KeyExchangeKind | undefined;
}

/** What a decoded message tells the connection tracker. */
export interface DecodedMessage {
  readonly type: number;
  /** "Client Hello", or "Hello Retry Request" for a ServerHello with the special random. */
  readonly title: string;
  /** HandshakeType name from the registry ("client_hello", "hello_retry_request"). */
  readonly name: string;
  readonly length: number;
  /** The "Handshake Protocol: …" tree. */
  readonly node: TraceNode;
  /** ServerHello: the version it selects and its cipher suite. */
  readonly selected?: { readonly version: VersionName | undefined; readonly cipherSuite: number; readonly helloRetry: boolean };
}

type ExtWhere =
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'encrypted_extensions'
  | 'certificate'
  | 'certificate_request'
  | 'new_session_ticket';

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function malformed(what: string, e: unknown, data: Uint8Array): TraceNode[] {
  return [note(`Malformed ${what}`, errorText(e)), bytesField('Data', data)];
}

// ---------------------------------------------------------------- extensions

const suiteValue = (s: number): string => `${cipherSuiteName(s)} (${hex4(s)})`;
const groupValue = (g: number): string => `${groupName(g)} (${hex4(g)})`;
const schemeValue = (s: number): string => `${signatureSchemeName(s)} (${hex4(s)})`;
/** Inside key_share Wireshark prints the group number in decimal: "Group: x25519 (29)". */
const groupDecimal = (g: number): string => `${groupName(g)} (${g})`;

function signatureAlgorithms(data: Uint8Array, what: string): TraceNode[] {
  const list = u16List.decode(data, what);
  return [
    field('Signature Hash Algorithms Length', list.length * 2),
    group(`Signature Hash Algorithms (${plural(list.length, 'algorithm')})`, list.map((s) => field('Signature Algorithm', schemeValue(s)))),
  ];
}

function keyShareEntry(group_: number, keyExchange: Uint8Array): TraceNode {
  return group(`Key Share Entry: Group: ${groupName(group_)}, Key Exchange length: ${keyExchange.length}`, [
    field('Group', groupDecimal(group_)),
    field('Key Exchange Length', keyExchange.length),
    bytesField('Key Exchange', keyExchange),
  ]);
}

function extensionBody(ext: Extension, where: ExtWhere): TraceNode[] {
  const d = ext.data;
  const fromServer = where === 'server_hello' || where === 'hello_retry_request';
  switch (ext.type) {
    case ExtensionType.server_name: {
      const host = serverName.decode(d);
      if (host === undefined) return d.length === 0 ? [] : [bytesField('Data', d)];
      const len = new TextEncoder().encode(host).length;
      return [
        group('Server Name Indication extension', [
          field('Server Name list length', d.length - 2),
          field('Server Name Type', 'host_name (0)'),
          field('Server Name length', len),
          field('Server Name', host),
        ]),
      ];
    }
    case ExtensionType.supported_groups: {
      const list = u16List.decode(d, 'supported_groups');
      return [
        field('Supported Groups List Length', list.length * 2),
        group(`Supported Groups (${plural(list.length, 'group')})`, list.map((g) => field('Supported Group', groupValue(g)))),
      ];
    }
    case ExtensionType.ec_point_formats: {
      const list = ecPointFormats.decode(d);
      return [
        field('EC point formats Length', list.length),
        group(`Elliptic curves point formats (${list.length})`, list.map((f) => field('EC point format', `${ecPointFormatName(f)} (${f})`))),
      ];
    }
    case ExtensionType.signature_algorithms:
    case ExtensionType.signature_algorithms_cert:
      return signatureAlgorithms(d, extensionTitle(ext.type));
    case ExtensionType.application_layer_protocol_negotiation: {
      const protocols = alpn.decode(d);
      const children: TraceNode[] = [];
      for (const p of protocols) children.push(field('ALPN string length', new TextEncoder().encode(p).length), field('ALPN Next Protocol', p));
      return [field('ALPN Extension Length', d.length - 2), group('ALPN Protocol', children)];
    }
    case ExtensionType.supported_versions: {
      if (fromServer) return [field('Supported Version', versionValue(supportedVersions.decodeServer(d)))];
      const list = supportedVersions.decodeClient(d);
      return [field('Supported Versions length', list.length * 2), ...list.map((v) => field('Supported Version', versionValue(v)))];
    }
    case ExtensionType.key_share: {
      if (where === 'hello_retry_request') return [group('Key Share extension', [field('Selected Group', groupDecimal(keyShare.decodeRetry(d)))])];
      if (where === 'server_hello') {
        const e = keyShare.decodeServer(d);
        return [group('Key Share extension', [keyShareEntry(e.group, e.keyExchange)])];
      }
      const entries = keyShare.decodeClient(d);
      return [group('Key Share extension', [field('Client Key Share Length', d.length - 2), ...entries.map((e) => keyShareEntry(e.group, e.keyExchange))])];
    }
    case ExtensionType.psk_key_exchange_modes: {
      const modes = pskModes.decode(d);
      return [field('PSK Key Exchange Modes Length', modes.length), ...modes.map((m) => field('PSK Key Exchange Mode', pskModeValue(m)))];
    }
    case ExtensionType.pre_shared_key: {
      if (fromServer) return [group('Pre-Shared Key extension', [field('Selected Identity', preSharedKey.decodeServer(d))])];
      const offer = preSharedKey.decodeClient(d);
      const idsLen = offer.identities.reduce((n, i) => n + 2 + i.identity.length + 4, 0);
      const bindersLen = offer.binders.reduce((n, b) => n + 1 + b.length, 0);
      return [
        group('Pre-Shared Key extension', [
          field('Identities Length', idsLen),
          ...offer.identities.map((i) =>
            group(`PSK Identity (length: ${i.identity.length})`, [
              field('Identity Length', i.identity.length),
              bytesField('Identity', i.identity),
              field('Obfuscated Ticket Age', i.obfuscatedTicketAge),
            ]),
          ),
          field('PSK Binders length', bindersLen),
          group(
            'PSK Binders',
            offer.binders.flatMap((b) => [field('Binder Length', b.length), bytesField('Binder', b)]),
          ),
        ]),
      ];
    }
    case ExtensionType.early_data:
      if (where === 'new_session_ticket') return [field('Maximum Early Data Size', earlyData.decodeTicket(d))];
      return d.length === 0 ? [] : [bytesField('Data', d)];
    case ExtensionType.cookie: {
      const c = cookie.decode(d);
      return [field('Cookie Length', c.length), bytesField('Cookie', c)];
    }
    case ExtensionType.renegotiation_info: {
      const v = renegotiationInfo.decode(d);
      const children: TraceNode[] = [field('Renegotiation info extension length', v.length)];
      if (v.length > 0) children.push(bytesField('Renegotiation info', v));
      return [group('Renegotiation Info extension', children)];
    }
    case ExtensionType.session_ticket:
      return d.length === 0 ? [{ name: 'Data (0 bytes)' }] : [bytesField('Session Ticket', d)];
    case ExtensionType.record_size_limit:
      return [field('Record Size Limit', decodeBody(d, 'record_size_limit', (r: Reader) => r.u16('record_size_limit')))];
    case ExtensionType.padding:
      return [bytesField('Padding Data', d)];
    default:
      return d.length === 0 ? [] : [bytesField('Data', d)];
  }
}

function extensionNode(ext: Extension, where: ExtWhere): TraceNode {
  const children: TraceNode[] = [field('Type', extensionTypeValue(ext.type)), field('Length', ext.data.length)];
  try {
    children.push(...extensionBody(ext, where));
  } catch (e) {
    children.push(...malformed('extension', e, ext.data));
  }
  return { name: `Extension: ${extensionTitle(ext.type)} (len=${ext.data.length})`, children };
}

/** Extensions Length plus one node per extension. */
function extensionList(exts: readonly Extension[], where: ExtWhere, present = true): TraceNode[] {
  if (!present) return [];
  const len = exts.reduce((n, e) => n + 4 + e.data.length, 0);
  return [field('Extensions Length', len), ...exts.map((e) => extensionNode(e, where))];
}

/** Decode one extension alone (for an inspector): "Extension: … (len=N)". */
export function decodeExtension(ext: Extension, where: ExtWhere = 'client_hello'): TraceNode {
  return extensionNode(ext, where);
}

// ---------------------------------------------------------------- messages

function clientHello(body: Uint8Array): TraceNode[] {
  const m = decodeMessage({ type: HandshakeType.client_hello, body }, (r) => ClientHelloCodec.decode(r));
  const fixed = 2 + 32 + 1 + m.legacySessionId.length + 2 + m.cipherSuites.length * 2 + 1 + m.legacyCompressionMethods.length;
  const out: TraceNode[] = [
    field('Version', versionValue(m.legacyVersion)),
    bytesField('Random', m.random),
    field('Session ID Length', m.legacySessionId.length),
  ];
  if (m.legacySessionId.length > 0) out.push(bytesField('Session ID', m.legacySessionId));
  out.push(
    field('Cipher Suites Length', m.cipherSuites.length * 2),
    group(`Cipher Suites (${plural(m.cipherSuites.length, 'suite')})`, m.cipherSuites.map((s) => field('Cipher Suite', suiteValue(s)))),
    field('Compression Methods Length', m.legacyCompressionMethods.length),
    group(
      `Compression Methods (${plural(m.legacyCompressionMethods.length, 'method')})`,
      Array.from(m.legacyCompressionMethods, (c) => field('Compression Method', c === 0 ? 'null (0)' : `Unknown (${c})`)),
    ),
    ...extensionList(m.extensions, 'client_hello', body.length > fixed),
  );
  return out;
}

function serverHelloFields(m: ServerHello, body: Uint8Array, helloRetry: boolean): TraceNode[] {
  const fixed = 2 + 32 + 1 + m.legacySessionIdEcho.length + 2 + 1;
  const out: TraceNode[] = [
    field('Version', versionValue(m.legacyVersion)),
    helloRetry ? { name: 'Random', value: `${Buffer.from(m.random).toString('hex')} (HelloRetryRequest magic)`, bytes: m.random } : bytesField('Random', m.random),
    field('Session ID Length', m.legacySessionIdEcho.length),
  ];
  if (m.legacySessionIdEcho.length > 0) out.push(bytesField('Session ID', m.legacySessionIdEcho));
  out.push(
    field('Cipher Suite', suiteValue(m.cipherSuite)),
    field('Compression Method', m.legacyCompressionMethod === 0 ? 'null (0)' : `Unknown (${m.legacyCompressionMethod})`),
    ...extensionList(m.extensions, helloRetry ? 'hello_retry_request' : 'server_hello', body.length > fixed),
  );
  return out;
}

/** The version a ServerHello selects: supported_versions if present, else legacy_version. */
function selectedVersion(m: ServerHello): VersionName | undefined {
  let v = m.legacyVersion;
  const sv = findExtension(m.extensions, ExtensionType.supported_versions);
  if (sv) {
    try {
      v = supportedVersions.decodeServer(sv);
    } catch {
      // malformed: shown as such in the tree; keep legacy_version
    }
  }
  return v === 0x0304 ? 'TLSv1.3' : v === 0x0303 ? 'TLSv1.2' : undefined;
}

function certificate(body: Uint8Array, tls13: boolean): TraceNode[] {
  const m = decodeMessage({ type: HandshakeType.certificate, body }, (r) => CertificateCodec.decode(r, tls13, MAX_CERTIFICATE_CHAIN_LENGTH * 10));
  const out: TraceNode[] = [];
  if (tls13) {
    out.push(field('Certificate Request Context Length', m.certificateRequestContext.length));
    if (m.certificateRequestContext.length > 0) out.push(bytesField('Certificate Request Context', m.certificateRequestContext));
  }
  const total = m.entries.reduce((n, e) => n + 3 + e.certData.length + (tls13 ? 2 + e.extensions.reduce((k, x) => k + 4 + x.data.length, 0) : 0), 0);
  const entries: TraceNode[] = [];
  for (const e of m.entries) {
    entries.push(field('Certificate Length', e.certData.length));
    const s = summarizeCertificate(e.certData);
    entries.push({
      name: 'Certificate',
      value: `${s ? s.subject : '(unparsable certificate)'} (${e.certData.length} bytes)`,
      bytes: e.certData,
      children: s ? s.children : [],
    });
    if (tls13) entries.push(...extensionList(e.extensions, 'certificate'));
  }
  out.push(field('Certificates Length', total), group(`Certificates (${total} bytes)`, entries));
  return out;
}

function serverKeyExchange(body: Uint8Array, kx: KeyExchangeKind | undefined): TraceNode[] {
  // Without a negotiated suite, guess from the shape: ECDHE params start with curve_type 3.
  const kind: 'ECDHE' | 'DHE' = kx === 'DHE' ? 'DHE' : kx === 'ECDHE' ? 'ECDHE' : body[0] === 3 ? 'ECDHE' : 'DHE';
  const m = decodeMessage({ type: HandshakeType.server_key_exchange, body }, (r) => ServerKeyExchangeCodec.decode(r, kind));
  const sig: TraceNode[] = [
    field('Signature Algorithm', schemeValue(m.signatureScheme)),
    field('Signature Length', m.signature.length),
    bytesField('Signature', m.signature),
  ];
  const p = m.params;
  if (p.kind === 'ECDHE') {
    return [
      group('EC Diffie-Hellman Server Params', [
        field('Curve Type', 'named_curve (0x03)'),
        field('Named Curve', groupValue(p.namedCurve)),
        field('Pubkey Length', p.publicKey.length),
        bytesField('Pubkey', p.publicKey),
        ...sig,
      ]),
    ];
  }
  return [
    group('Diffie-Hellman Server Params', [
      field('p Length', p.p.length),
      bytesField('p', p.p),
      field('g Length', p.g.length),
      bytesField('g', p.g),
      ...ffdheNote(p.p, p.g),
      field('Pubkey Length', p.publicKey.length),
      bytesField('Pubkey', p.publicKey),
      ...sig,
    ]),
  ];
}

/** Not on the wire: which RFC 7919 group p and g are, if any (Wireshark does not say). */
function ffdheNote(p: Uint8Array, g: Uint8Array): TraceNode[] {
  const known = ffdheGroupOf(p, g);
  return known ? [note('Named Group', groupValue(known.group))] : [];
}

function clientKeyExchange(body: Uint8Array, kx: KeyExchangeKind | undefined): TraceNode[] {
  // Without a negotiated suite: a one-byte length that covers the rest is ECDHE.
  const kind: 'ECDHE' | 'DHE' | 'RSA' =
    kx === 'ECDHE' || kx === 'DHE' || kx === 'RSA' ? kx : body.length > 0 && body[0] === body.length - 1 ? 'ECDHE' : 'RSA';
  const v = decodeMessage({ type: HandshakeType.client_key_exchange, body }, (r) => ClientKeyExchangeCodec.decode(r, kind));
  if (kind === 'RSA') {
    return [group('RSA Encrypted PreMaster Secret', [field('Encrypted PreMaster length', v.length), bytesField('Encrypted PreMaster', v)])];
  }
  return [
    group(kind === 'ECDHE' ? 'EC Diffie-Hellman Client Params' : 'Diffie-Hellman Client Params', [
      field('Pubkey Length', v.length),
      bytesField('Pubkey', v),
    ]),
  ];
}

function certificateRequest(body: Uint8Array, tls13: boolean): TraceNode[] {
  if (tls13) {
    const m = decodeMessage({ type: HandshakeType.certificate_request, body }, (r) => CertificateRequest13Codec.decode(r));
    const out: TraceNode[] = [field('Certificate Request Context Length', m.certificateRequestContext.length)];
    if (m.certificateRequestContext.length > 0) out.push(bytesField('Certificate Request Context', m.certificateRequestContext));
    return [...out, ...extensionList(m.extensions, 'certificate_request')];
  }
  const m = decodeMessage({ type: HandshakeType.certificate_request, body }, (r) => CertificateRequest12Codec.decode(r));
  const types = Array.from(m.certificateTypes);
  const dnsLen = m.certificateAuthorities.reduce((n, dn) => n + 2 + dn.length, 0);
  return [
    field('Certificate types count', types.length),
    group(`Certificate types (${plural(types.length, 'type')})`, types.map((t) => field('Certificate type', `${clientCertificateTypeTitle(t)} (${t})`))),
    field('Signature Hash Algorithms Length', m.signatureSchemes.length * 2),
    group(`Signature Hash Algorithms (${plural(m.signatureSchemes.length, 'algorithm')})`, m.signatureSchemes.map((s) => field('Signature Algorithm', schemeValue(s)))),
    field('Distinguished Names Length', dnsLen),
    group(
      `Distinguished Names (${dnsLen} bytes)`,
      m.certificateAuthorities.flatMap((dn) => {
        const name = distinguishedNameString(dn);
        return [field('Distinguished Name Length', dn.length), name === undefined ? bytesField('Distinguished Name', dn) : { name: 'Distinguished Name', value: `(${name})`, bytes: dn }];
      }),
    ),
  ];
}

function newSessionTicket(body: Uint8Array, tls13: boolean): TraceNode[] {
  if (tls13) {
    const m = decodeMessage({ type: HandshakeType.new_session_ticket, body }, (r) => NewSessionTicket13Codec.decode(r));
    return [
      group('TLS Session Ticket', [
        field('Session Ticket Lifetime Hint', secondsValue(m.ticketLifetime)),
        field('Session Ticket Age Add', m.ticketAgeAdd),
        field('Session Ticket Nonce Length', m.ticketNonce.length),
        bytesField('Session Ticket Nonce', m.ticketNonce),
        field('Session Ticket Length', m.ticket.length),
        bytesField('Session Ticket', m.ticket),
        ...extensionList(m.extensions, 'new_session_ticket'),
      ]),
    ];
  }
  const m = decodeMessage({ type: HandshakeType.new_session_ticket, body }, (r) => NewSessionTicket12Codec.decode(r));
  return [
    group('TLS Session Ticket', [
      field('Session Ticket Lifetime Hint', secondsValue(m.ticketLifetimeHint)),
      field('Session Ticket Length', m.ticket.length),
      bytesField('Session Ticket', m.ticket),
    ]),
  ];
}

/** Decode with the layout for `tls13`, or when the version is not known, whichever layout parses. */
function eitherLayout(version: VersionName | undefined, fn: (tls13: boolean) => TraceNode[]): TraceNode[] {
  if (version !== undefined) return fn(version === 'TLSv1.3');
  try {
    return fn(false);
  } catch {
    return fn(true);
  }
}

function bodyFields(type: number, body: Uint8Array, ctx: MessageContext): TraceNode[] {
  const v = ctx.version;
  switch (type) {
    case HandshakeType.client_hello:
      return clientHello(body);
    case HandshakeType.certificate:
      return eitherLayout(v, (t) => certificate(body, t));
    case HandshakeType.server_key_exchange:
      return serverKeyExchange(body, ctx.kx);
    case HandshakeType.certificate_request:
      return eitherLayout(v, (t) => certificateRequest(body, t));
    case HandshakeType.server_hello_done:
    case HandshakeType.end_of_early_data:
    case HandshakeType.hello_request:
      return body.length === 0 ? [] : [bytesField('Data', body)];
    case HandshakeType.client_key_exchange:
      return clientKeyExchange(body, ctx.kx);
    case HandshakeType.certificate_verify: {
      const m = decodeMessage({ type, body }, (r) => CertificateVerifyCodec.decode(r));
      return [field('Signature Algorithm', schemeValue(m.signatureScheme)), field('Signature length', m.signature.length), bytesField('Signature', m.signature)];
    }
    case HandshakeType.finished:
      return [bytesField('Verify Data', decodeMessage({ type, body }, (r) => FinishedCodec.decode(r)))];
    case HandshakeType.new_session_ticket:
      return eitherLayout(v, (t) => newSessionTicket(body, t));
    case HandshakeType.encrypted_extensions:
      return extensionList(decodeMessage({ type, body }, (r) => EncryptedExtensionsCodec.decode(r)), 'encrypted_extensions');
    case HandshakeType.key_update: {
      const u = decodeMessage({ type, body }, (r) => KeyUpdateCodec.decode(r));
      return [field('Key Update Request', `${keyUpdateRequestName(u)} (${u})`)];
    }
    default:
      return body.length === 0 ? [] : [bytesField('Handshake Data', body)];
  }
}

/**
 * Decode one handshake message (4-byte header + body) into its
 * "Handshake Protocol: …" tree. Never throws.
 */
export function decodeHandshakeMessage(raw: Uint8Array, ctx: MessageContext = {}): DecodedMessage {
  if (raw.length < 4) {
    return {
      type: raw[0] ?? -1,
      title: 'Fragment',
      name: 'fragment',
      length: raw.length,
      node: group('Handshake Protocol: Fragment', [note('Malformed Handshake Message', 'shorter than its 4-byte header'), bytesField('Data', raw)]),
    };
  }
  const type = raw[0]!;
  const length = (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!;
  const body = raw.subarray(4);
  let title = handshakeTitle(type);
  let name = handshakeTitleName(type);
  let selected: DecodedMessage['selected'];
  const head: TraceNode[] = [field('Handshake Type', `${handshakeTitle(type)} (${type})`), field('Length', length)];
  let fields: TraceNode[];
  try {
    if (length !== body.length) throw new Error(`length ${length} but ${body.length} bytes of body`);
    if (type === HandshakeType.server_hello) {
      const m = decodeMessage({ type, body }, (r: Reader) => ServerHelloCodec.decode(r));
      const helloRetry = sameBytes(m.random, HELLO_RETRY_REQUEST_RANDOM);
      if (helloRetry) {
        title = handshakeTitle(HandshakeType.hello_retry_request);
        name = handshakeTitleName(HandshakeType.hello_retry_request);
      }
      selected = { version: selectedVersion(m), cipherSuite: m.cipherSuite, helloRetry };
      fields = serverHelloFields(m, body, helloRetry);
    } else {
      fields = bodyFields(type, body, ctx);
    }
  } catch (e) {
    fields = malformed('Handshake Message', e, body);
  }
  const node = group(`Handshake Protocol: ${title}`, [...head, ...fields]);
  return selected ? { type, title, name, length, node, selected } : { type, title, name, length, node };
}

/** The registry's snake_case name ("client_hello"). */
function handshakeTitleName(type: number): string {
  const n = handshakeTypeName(type);
  return n.startsWith('Unknown') ? `unknown_${type}` : n;
}

/** The key exchange a cipher suite implies (registry's CipherSuiteInfo.kx). */
export function kxOfSuite(suite: number): KeyExchangeKind | undefined {
  return cipherSuiteInfo(suite)?.kx;
}
