/**
 * Where the fields of a handshake message are: every length prefix and
 * every code point (version, suite, group, scheme, extension type...),
 * found by walking the message with the layouts of RFC 5246 / RFC 8446 and
 * the extension RFCs. The walk stops quietly where the bytes stop making
 * sense, so it works on messages that are already mutated.
 *
 * The fuzzers use it to hit exactly the bytes parsers branch on: a random
 * byte offset rarely lands on the one length prefix of an ALPN name.
 */

export type FieldKind =
  | 'length'
  | 'version'
  | 'suite'
  | 'group'
  | 'scheme'
  | 'extension'
  | 'enum8'
  | 'u32'
  | 'opaque'
  | 'certificate';

export interface Field {
  readonly offset: number;
  /** Bytes of the field (for 'certificate': the DER's length). */
  readonly width: number;
  readonly kind: FieldKind;
  readonly what: string;
}

export interface FieldContext {
  readonly version?: VersionName | undefined;
  readonly kx?: KeyExchangeKind | undefined;
}

import { ExtensionType, type KeyExchangeKind, type VersionName } from '../../src/registry.js';

class Stop extends Error {}

class Walker {
  readonly fields: Field[] = [];
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    public end: number,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.end) throw new Stop();
  }

  uint(width: number, kind: FieldKind, what: string): number {
    this.need(width);
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + this.b[this.pos + i]!;
    this.fields.push({ offset: this.pos, width, kind, what });
    this.pos += width;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A length-prefixed vector: `inner` walks its content (bounded to it); returns to after it. */
  vec(width: number, what: string, inner?: (w: Walker) => void): void {
    const n = this.uint(width, 'length', what);
    this.need(n);
    const start = this.pos;
    this.pos += n;
    if (!inner && n > 0) this.fields.push({ offset: start, width: n, kind: 'opaque', what: `${what} content` });
    if (inner) {
      const sub = new Walker(this.b, start, start + n);
      try {
        inner(sub);
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
      }
      this.fields.push(...sub.fields);
    }
  }

  /** Repeat `item` until the end of this walker's range. */
  list(item: (w: Walker) => void): void {
    while (this.pos < this.end) item(this);
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }
}


type Where = 'client_hello' | 'server_hello' | 'hello_retry_request' | 'encrypted_extensions' | 'certificate' | 'certificate_request' | 'new_session_ticket';

function extensionBody(w: Walker, type: number, where: Where): void {
  const u16s = (kind: FieldKind, what: string): void => w.vec(2, what, (x) => x.list((y) => y.uint(2, kind, what)));
  switch (type) {
    case ExtensionType.server_name:
      if (!w.atEnd) w.vec(2, 'server_name_list', (x) => x.list((y) => (y.uint(1, 'enum8', 'name_type'), y.vec(2, 'HostName'))));
      return;
    case ExtensionType.supported_groups:
      return u16s('group', 'named_group_list');
    case ExtensionType.signature_algorithms:
    case ExtensionType.signature_algorithms_cert:
      return u16s('scheme', 'supported_signature_algorithms');
    case ExtensionType.ec_point_formats:
    case ExtensionType.psk_key_exchange_modes:
      return w.vec(1, 'u8 list', (x) => x.list((y) => y.uint(1, 'enum8', 'item')));
    case ExtensionType.application_layer_protocol_negotiation:
      return w.vec(2, 'protocol_name_list', (x) => x.list((y) => y.vec(1, 'ProtocolName')));
    case ExtensionType.supported_versions:
      if (where === 'client_hello') return w.vec(1, 'versions', (x) => x.list((y) => y.uint(2, 'version', 'version')));
      w.uint(2, 'version', 'selected_version');
      return;
    case ExtensionType.key_share:
      if (where === 'client_hello') return w.vec(2, 'client_shares', (x) => x.list((y) => (y.uint(2, 'group', 'group'), y.vec(2, 'key_exchange'))));
      w.uint(2, 'group', 'group');
      if (where === 'server_hello') w.vec(2, 'key_exchange');
      return;
    case ExtensionType.pre_shared_key:
      if (where === 'client_hello') {
        w.vec(2, 'identities', (x) => x.list((y) => (y.vec(2, 'identity'), y.uint(4, 'u32', 'obfuscated_ticket_age'))));
        w.vec(2, 'binders', (x) => x.list((y) => y.vec(1, 'PskBinderEntry')));
        return;
      }
      w.uint(2, 'length', 'selected_identity');
      return;
    case ExtensionType.early_data:
      if (where === 'new_session_ticket') w.uint(4, 'u32', 'max_early_data_size');
      return;
    case ExtensionType.cookie:
      return w.vec(2, 'cookie');
    case ExtensionType.renegotiation_info:
      return w.vec(1, 'renegotiated_connection');
    case ExtensionType.certificate_authorities:
      return w.vec(2, 'authorities', (x) => x.list((y) => y.vec(2, 'DistinguishedName')));
    case ExtensionType.status_request:
      if (!w.atEnd) {
        w.uint(1, 'enum8', 'status_type');
        w.vec(2, 'responder_id_list');
        w.vec(2, 'request_extensions');
      }
      return;
    default:
      return;
  }
}

function extensions(w: Walker, where: Where): void {
  if (w.atEnd && (where === 'client_hello' || where === 'server_hello')) return; // TLS 1.2 hellos may omit the block
  w.vec(2, 'extensions', (x) =>
    x.list((y) => {
      const type = y.uint(2, 'extension', 'extension_type');
      y.vec(2, 'extension_data', (z) => extensionBody(z, type, where));
    }),
  );
}

const HRR_RANDOM_HEAD = [0xcf, 0x21, 0xad, 0x74];

function body(w: Walker, type: number, ctx: FieldContext): void {
  const tls13 = ctx.version === 'TLSv1.3';
  switch (type) {
    case 1: // ClientHello
      w.uint(2, 'version', 'legacy_version');
      w.skip(32);
      w.vec(1, 'legacy_session_id');
      w.vec(2, 'cipher_suites', (x) => x.list((y) => y.uint(2, 'suite', 'cipher_suite')));
      w.vec(1, 'legacy_compression_methods', (x) => x.list((y) => y.uint(1, 'enum8', 'compression_method')));
      return extensions(w, 'client_hello');
    case 2: {
      // ServerHello / HelloRetryRequest
      w.uint(2, 'version', 'legacy_version');
      const hrr = HRR_RANDOM_HEAD.every((v, i) => w.b[w.pos + i] === v);
      w.skip(32);
      w.vec(1, 'legacy_session_id_echo');
      w.uint(2, 'suite', 'cipher_suite');
      w.uint(1, 'enum8', 'legacy_compression_method');
      return extensions(w, hrr ? 'hello_retry_request' : 'server_hello');
    }
    case 4: // NewSessionTicket
      if (tls13) {
        w.uint(4, 'u32', 'ticket_lifetime');
        w.uint(4, 'u32', 'ticket_age_add');
        w.vec(1, 'ticket_nonce');
        w.vec(2, 'ticket');
        return extensions(w, 'new_session_ticket');
      }
      w.uint(4, 'u32', 'ticket_lifetime_hint');
      return w.vec(2, 'ticket');
    case 8: // EncryptedExtensions
      return extensions(w, 'encrypted_extensions');
    case 11: // Certificate
      if (tls13) w.vec(1, 'certificate_request_context');
      return w.vec(3, 'certificate_list', (x) =>
        x.list((y) => {
          const n = y.uint(3, 'length', 'cert_data');
          y.fields.push({ offset: y.pos, width: n, kind: 'certificate', what: 'cert_data' });
          y.skip(n);
          if (tls13) extensions(y, 'certificate');
        }),
      );
    case 12: // ServerKeyExchange
      if (ctx.kx === 'DHE') {
        w.vec(2, 'dh_p');
        w.vec(2, 'dh_g');
        w.vec(2, 'dh_Ys');
      } else {
        w.uint(1, 'enum8', 'curve_type');
        w.uint(2, 'group', 'named_curve');
        w.vec(1, 'ECPoint');
      }
      w.uint(2, 'scheme', 'signature_algorithm');
      return w.vec(2, 'signature');
    case 13: // CertificateRequest
      if (tls13) {
        w.vec(1, 'certificate_request_context');
        return extensions(w, 'certificate_request');
      }
      w.vec(1, 'certificate_types', (x) => x.list((y) => y.uint(1, 'enum8', 'certificate_type')));
      w.vec(2, 'supported_signature_algorithms', (x) => x.list((y) => y.uint(2, 'scheme', 'scheme')));
      return w.vec(2, 'certificate_authorities', (x) => x.list((y) => y.vec(2, 'DistinguishedName')));
    case 15: // CertificateVerify
      w.uint(2, 'scheme', 'algorithm');
      return w.vec(2, 'signature');
    case 16: // ClientKeyExchange
      return w.vec(ctx.kx === 'ECDHE' ? 1 : 2, 'exchange_keys');
    case 24: // KeyUpdate
      w.uint(1, 'enum8', 'request_update');
      return;
    default:
      return;
  }
}

/** The fields of one handshake message (header + body); offsets are into `raw`. */
export function fieldsOf(raw: Uint8Array, ctx: FieldContext = {}): Field[] {
  if (raw.length < 4) return [];
  const w = new Walker(raw, 0, raw.length);
  w.uint(1, 'enum8', 'msg_type');
  const len = w.uint(3, 'length', 'length');
  w.end = Math.min(raw.length, 4 + len);
  try {
    body(w, raw[0]!, ctx);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return w.fields;
}

/** Interesting replacements for a code point of `kind`. */
export function interestingValues(kind: FieldKind): readonly number[] {
  switch (kind) {
    case 'version':
      return [0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x0305, 0x7f1c, 0xfefd, 0x0a0a, 0x0000, 0xffff];
    case 'suite':
      return [0x1301, 0x1302, 0x1303, 0x1304, 0xc02b, 0xc02f, 0xcca8, 0x009c, 0x009e, 0x00ff, 0x5600, 0x0000, 0x000a, 0x0a0a, 0xffff];
    case 'group':
      return [0x0017, 0x0018, 0x0019, 0x001d, 0x001e, 0x0100, 0x0101, 0x0104, 0x11ec, 0x11eb, 0x0000, 0x0a0a, 0xffff];
    case 'scheme':
      return [0x0401, 0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808, 0x0809, 0x0201, 0x0203, 0x0000, 0xffff];
    case 'extension':
      return [0, 5, 10, 11, 13, 16, 23, 35, 41, 42, 43, 44, 45, 47, 50, 51, 65281, 0x0a0a, 0xfe0d, 0xffff];
    case 'enum8':
      return [0, 1, 2, 3, 4, 0x40, 0x7f, 0x80, 0xfe, 0xff];
    case 'u32':
      return [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 604800, 604801];
    default:
      return [0];
  }
}
