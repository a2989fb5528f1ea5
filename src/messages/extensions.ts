/**
 * Hello extensions: the generic list codec plus one codec per extension body.
 *
 * Extensions stay as raw `{ type, data }` in the hello messages, so unknown
 * ones round-trip and trace; the typed codecs below decode the bodies we
 * understand, each confined to its own bytes (a body must be consumed exactly).
 */
import { Reader, DecodeError } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { alertError } from '../errors.js';
import { extensionName } from '../registry.js';

export interface Extension {
  readonly type: number;
  readonly data: Uint8Array;
}

/** `Extension extensions<0..2^16-1>`, absent entirely when the reader is at its end (TLS 1.2 hellos may omit it). */
export function readExtensions(r: Reader): Extension[] {
  if (r.atEnd()) return [];
  const list = r.sub16('extensions');
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (!list.atEnd()) {
    const type = list.u16('extension type');
    const data = list.vec16('extension data');
    // RFC 8446 §4.2 / RFC 5246 §7.4.1.4: at most one extension of each type. Neither RFC names the alert;
    // decode_error (the block does not parse as a valid list), as BoringSSL sends and BoGo expects.
    if (seen.has(type)) throw alertError('decode_error', `duplicate extension ${extensionName(type)}`);
    seen.add(type);
    out.push({ type, data });
  }
  return out;
}

export function writeExtensions(w: Writer, exts: readonly Extension[]): void {
  w.vec16(() => {
    for (const e of exts) w.u16(e.type).opaque16(e.data);
  });
}

export function findExtension(exts: readonly Extension[], type: number): Uint8Array | undefined {
  for (const e of exts) if (e.type === type) return e.data;
  return undefined;
}

/** Decode an extension body with `fn`, which must consume it exactly; any shortfall is decode_error. */
export function decodeBody<T>(data: Uint8Array, what: string, fn: (r: Reader) => T): T {
  const r = new Reader(data);
  try {
    const v = fn(r);
    r.end(what);
    return v;
  } catch (e) {
    if (e instanceof DecodeError) throw alertError('decode_error', `malformed ${what}: ${e.message}`);
    throw e;
  }
}

const build = (fn: (w: Writer) => void, size = 64): Uint8Array => {
  const w = new Writer(size);
  fn(w);
  return w.finish();
};

// --- server_name (RFC 6066 §3) -------------------------------------------
export const serverName = {
  encode(host: string): Uint8Array {
    return build((w) =>
      w.vec16(() => {
        w.u8(0); // name_type host_name
        w.opaque16(new TextEncoder().encode(host));
      }),
    );
  },
  /** The host_name, or undefined for an empty (server's acknowledgement) body. */
  decode(data: Uint8Array): string | undefined {
    if (data.length === 0) return undefined;
    return decodeBody(data, 'server_name', (r) => {
      const list = r.sub16('server_name_list');
      let host: string | undefined;
      if (list.atEnd()) throw new DecodeError('empty server_name_list');
      while (!list.atEnd()) {
        const type = list.u8('name_type');
        const name = list.vec16('HostName', 1);
        if (type !== 0) continue;
        // RFC 6066 §3: only one name of each type.
        if (host !== undefined) throw alertError('illegal_parameter', 'two host_name entries in server_name');
        for (const b of name) if (b < 0x21 || b > 0x7e) throw alertError('illegal_parameter', 'server_name is not a printable ASCII host name');
        host = new TextDecoder().decode(name);
      }
      return host;
    });
  },
};

// --- uint16 lists: supported_groups (RFC 8446 §4.2.7), signature_algorithms (§4.2.3) ----
export const u16List = {
  encode(values: readonly number[]): Uint8Array {
    return build((w) => w.vec16(() => values.forEach((v) => w.u16(v))));
  },
  decode(data: Uint8Array, what: string): number[] {
    return decodeBody(data, what, (r) => r.list16of16(what, 1));
  },
};

// --- ec_point_formats (RFC 8422 §5.1.2) -----------------------------------
export const ecPointFormats = {
  encode(formats: readonly number[]): Uint8Array {
    return build((w) => w.vec8(() => formats.forEach((f) => w.u8(f))));
  },
  decode(data: Uint8Array): number[] {
    return decodeBody(data, 'ec_point_formats', (r) => Array.from(r.vec8('ec_point_format_list', 1)));
  },
};

// --- application_layer_protocol_negotiation (RFC 7301 §3.1) ---------------
export const alpn = {
  encode(protocols: readonly string[]): Uint8Array {
    return build((w) => w.vec16(() => protocols.forEach((p) => w.opaque8(new TextEncoder().encode(p)))));
  },
  decode(data: Uint8Array): string[] {
    return decodeBody(data, 'application_layer_protocol_negotiation', (r) => {
      const list = r.sub16('protocol_name_list');
      const out: string[] = [];
      if (list.atEnd()) throw new DecodeError('empty protocol_name_list');
      while (!list.atEnd()) out.push(new TextDecoder().decode(list.vec8('ProtocolName', 1)));
      return out;
    });
  },
};

// --- supported_versions (RFC 8446 §4.2.1) -----------------------------------
export const supportedVersions = {
  encodeClient(versions: readonly number[]): Uint8Array {
    return build((w) => w.vec8(() => versions.forEach((v) => w.u16(v))));
  },
  decodeClient(data: Uint8Array): number[] {
    return decodeBody(data, 'supported_versions', (r) => {
      const list = r.sub8('versions');
      if (list.remaining < 2 || list.remaining % 2 !== 0) throw new DecodeError('bad versions length');
      const out: number[] = [];
      while (!list.atEnd()) out.push(list.u16());
      return out;
    });
  },
  encodeServer(version: number): Uint8Array {
    return build((w) => w.u16(version));
  },
  decodeServer(data: Uint8Array): number {
    return decodeBody(data, 'supported_versions', (r) => r.u16('selected_version'));
  },
};

// --- key_share (RFC 8446 §4.2.8) --------------------------------------------
export interface KeyShareEntry {
  readonly group: number;
  readonly keyExchange: Uint8Array;
}
export const keyShare = {
  encodeClient(entries: readonly KeyShareEntry[]): Uint8Array {
    return build((w) => w.vec16(() => entries.forEach((e) => w.u16(e.group).opaque16(e.keyExchange))));
  },
  decodeClient(data: Uint8Array): KeyShareEntry[] {
    return decodeBody(data, 'key_share', (r) => {
      const list = r.sub16('client_shares');
      const out: KeyShareEntry[] = [];
      const seen = new Set<number>();
      while (!list.atEnd()) {
        const group = list.u16('group');
        const keyExchange = list.vec16('key_exchange', 1);
        // §4.2.8: clients MUST NOT offer multiple shares for one group.
        if (seen.has(group)) throw alertError('illegal_parameter', 'two key shares for one group');
        seen.add(group);
        out.push({ group, keyExchange });
      }
      return out;
    });
  },
  encodeServer(e: KeyShareEntry): Uint8Array {
    return build((w) => w.u16(e.group).opaque16(e.keyExchange), 4 + e.keyExchange.length);
  },
  decodeServer(data: Uint8Array): KeyShareEntry {
    return decodeBody(data, 'key_share', (r) => ({ group: r.u16('group'), keyExchange: r.vec16('key_exchange', 1) }));
  },
  /** HelloRetryRequest: just the selected group. */
  encodeRetry(group: number): Uint8Array {
    return build((w) => w.u16(group));
  },
  decodeRetry(data: Uint8Array): number {
    return decodeBody(data, 'key_share', (r) => r.u16('selected_group'));
  },
};

// --- psk_key_exchange_modes (RFC 8446 §4.2.9) ---------------------------------
export const pskModes = {
  encode(modes: readonly number[]): Uint8Array {
    return build((w) => w.vec8(() => modes.forEach((m) => w.u8(m))));
  },
  decode(data: Uint8Array): number[] {
    return decodeBody(data, 'psk_key_exchange_modes', (r) => Array.from(r.vec8('ke_modes', 1)));
  },
};

// --- pre_shared_key (RFC 8446 §4.2.11) -----------------------------------------
export interface PskIdentity {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
}
export interface OfferedPsks {
  readonly identities: PskIdentity[];
  readonly binders: Uint8Array[];
}
export const preSharedKey = {
  encodeClient(offer: OfferedPsks): Uint8Array {
    return build((w) => {
      w.vec16(() => offer.identities.forEach((i) => w.opaque16(i.identity).u32(i.obfuscatedTicketAge)));
      w.vec16(() => offer.binders.forEach((b) => w.opaque8(b)));
    });
  },
  /** Length of the binders list on the wire (the part the binder hash excludes). */
  bindersLength(binders: readonly Uint8Array[]): number {
    return 2 + binders.reduce((n, b) => n + 1 + b.length, 0);
  },
  decodeClient(data: Uint8Array): OfferedPsks {
    return decodeBody(data, 'pre_shared_key', (r) => {
      const ids = r.sub16('identities');
      const identities: PskIdentity[] = [];
      while (!ids.atEnd()) identities.push({ identity: ids.vec16('identity', 1), obfuscatedTicketAge: ids.u32('obfuscated_ticket_age') });
      const bs = r.sub16('binders');
      const binders: Uint8Array[] = [];
      while (!bs.atEnd()) binders.push(bs.vec8('PskBinderEntry', 32));
      if (identities.length === 0) throw new DecodeError('no PSK identities');
      if (identities.length !== binders.length) throw alertError('illegal_parameter', 'PSK identities and binders differ in number');
      return { identities, binders };
    });
  },
  encodeServer(selected: number): Uint8Array {
    return build((w) => w.u16(selected));
  },
  decodeServer(data: Uint8Array): number {
    return decodeBody(data, 'pre_shared_key', (r) => r.u16('selected_identity'));
  },
};

// --- early_data (RFC 8446 §4.2.10) ------------------------------------------------
export const earlyData = {
  encodeTicket(maxEarlyDataSize: number): Uint8Array {
    return build((w) => w.u32(maxEarlyDataSize));
  },
  decodeTicket(data: Uint8Array): number {
    return decodeBody(data, 'early_data', (r) => r.u32('max_early_data_size'));
  },
};

// --- cookie (RFC 8446 §4.2.2) -------------------------------------------------------
export const cookie = {
  encode(c: Uint8Array): Uint8Array {
    return build((w) => w.opaque16(c));
  },
  decode(data: Uint8Array): Uint8Array {
    return decodeBody(data, 'cookie', (r) => r.vec16('cookie', 1));
  },
};

// --- renegotiation_info (RFC 5746 §3.2) ----------------------------------------------
export const renegotiationInfo = {
  encode(verifyData: Uint8Array): Uint8Array {
    return build((w) => w.opaque8(verifyData));
  },
  decode(data: Uint8Array): Uint8Array {
    return decodeBody(data, 'renegotiation_info', (r) => r.vec8('renegotiated_connection'));
  },
};

/** An extension whose body must be empty (extended_master_secret, a server's server_name ack, ...). */
export function expectEmpty(data: Uint8Array, what: string): void {
  if (data.length !== 0) throw alertError('decode_error', `${what} extension must be empty`);
}
