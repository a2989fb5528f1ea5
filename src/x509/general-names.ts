/**
 * GeneralName / GeneralNames (RFC 5280 §4.2.1.6), as used by subjectAltName
 * and, with address+netmask IP entries, by nameConstraints (§4.2.1.10).
 *
 * Every name form is recognised so that an unsupported form under a critical
 * constraint can be refused rather than ignored; the string forms must be
 * ASCII (IA5String), IP addresses 4 or 16 octets (8 or 32 with a contiguous
 * netmask in constraints).
 */
import { DerReader, Tag, contextConstructed, contextPrimitive, parseSingle } from './der.js';
import { X509Error } from './errors.js';
import { nameToString } from './name.js';

export const GeneralNameType = {
  otherName: 1 << 0,
  rfc822Name: 1 << 1,
  dNSName: 1 << 2,
  x400Address: 1 << 3,
  directoryName: 1 << 4,
  ediPartyName: 1 << 5,
  uniformResourceIdentifier: 1 << 6,
  iPAddress: 1 << 7,
  registeredID: 1 << 8,
} as const;

export const ALL_GENERAL_NAME_TYPES = (1 << 9) - 1;

export interface IpRange {
  readonly address: Uint8Array;
  readonly prefixLength: number;
}

/** One name, in certificate order (for display). */
export type GeneralNameEntry =
  | { readonly type: 'otherName' | 'x400Address' | 'ediPartyName' | 'registeredID'; readonly raw: Uint8Array }
  | { readonly type: 'rfc822Name' | 'dNSName' | 'uniformResourceIdentifier'; readonly value: string }
  | { readonly type: 'directoryName'; readonly value: Uint8Array }
  | { readonly type: 'iPAddress'; readonly value: Uint8Array };

export interface GeneralNames {
  presentTypes: number;
  readonly entries: GeneralNameEntry[];
  readonly otherNames: Uint8Array[];
  readonly rfc822Names: string[];
  readonly dnsNames: string[];
  readonly x400Addresses: Uint8Array[];
  /** RDNSequence contents of each directoryName. */
  readonly directoryNames: Uint8Array[];
  readonly ediPartyNames: Uint8Array[];
  readonly uris: string[];
  readonly ipAddresses: Uint8Array[];
  readonly ipRanges: IpRange[];
  readonly registeredIds: Uint8Array[];
}

export function emptyGeneralNames(): GeneralNames {
  return {
    presentTypes: 0,
    entries: [],
    otherNames: [],
    rfc822Names: [],
    dnsNames: [],
    x400Addresses: [],
    directoryNames: [],
    ediPartyNames: [],
    uris: [],
    ipAddresses: [],
    ipRanges: [],
    registeredIds: [],
  };
}

function ascii(v: Uint8Array, what: string): string {
  for (const c of v) if (c > 0x7f) throw new X509Error('X509_BAD_GENERAL_NAME', `${what} is not ASCII`);
  return Buffer.from(v).toString('latin1');
}

/** Prefix length of a contiguous netmask, or -1. */
function maskPrefixLength(mask: Uint8Array): number {
  let n = 0;
  let i = 0;
  for (; i < mask.length && mask[i] === 0xff; i++) n += 8;
  if (i < mask.length) {
    const b = mask[i]!;
    let bits = 0;
    while (bits < 8 && b & (0x80 >> bits)) bits++;
    if (((b << bits) & 0xff) !== 0) return -1;
    n += bits;
    for (i++; i < mask.length; i++) if (mask[i] !== 0) return -1;
  }
  return n;
}

/**
 * Add one GeneralName TLV to `out`. `withNetmask`: iPAddress carries
 * address||mask (name constraints) instead of a plain address.
 */
export function addGeneralName(tag: number, value: Uint8Array, raw: Uint8Array, withNetmask: boolean, out: GeneralNames): void {
  switch (tag) {
    case contextConstructed(0):
      out.presentTypes |= GeneralNameType.otherName;
      out.otherNames.push(value);
      out.entries.push({ type: 'otherName', raw });
      return;
    case contextPrimitive(1): {
      const s = ascii(value, 'rfc822Name');
      out.presentTypes |= GeneralNameType.rfc822Name;
      out.rfc822Names.push(s);
      out.entries.push({ type: 'rfc822Name', value: s });
      return;
    }
    case contextPrimitive(2): {
      const s = ascii(value, 'dNSName');
      out.presentTypes |= GeneralNameType.dNSName;
      out.dnsNames.push(s);
      out.entries.push({ type: 'dNSName', value: s });
      return;
    }
    case contextConstructed(3):
      out.presentTypes |= GeneralNameType.x400Address;
      out.x400Addresses.push(value);
      out.entries.push({ type: 'x400Address', raw });
      return;
    case contextConstructed(4): {
      // Name is a CHOICE, so [4] is EXPLICIT around the RDNSequence.
      const name = parseSingle(value, Tag.SEQUENCE, 'directoryName').value;
      out.presentTypes |= GeneralNameType.directoryName;
      out.directoryNames.push(name);
      out.entries.push({ type: 'directoryName', value: name });
      return;
    }
    case contextConstructed(5):
      out.presentTypes |= GeneralNameType.ediPartyName;
      out.ediPartyNames.push(value);
      out.entries.push({ type: 'ediPartyName', raw });
      return;
    case contextPrimitive(6): {
      const s = ascii(value, 'uniformResourceIdentifier');
      out.presentTypes |= GeneralNameType.uniformResourceIdentifier;
      out.uris.push(s);
      out.entries.push({ type: 'uniformResourceIdentifier', value: s });
      return;
    }
    case contextPrimitive(7): {
      out.presentTypes |= GeneralNameType.iPAddress;
      if (!withNetmask) {
        if (value.length !== 4 && value.length !== 16) throw new X509Error('X509_BAD_GENERAL_NAME', `iPAddress of ${value.length} octets`);
        out.ipAddresses.push(value);
        out.entries.push({ type: 'iPAddress', value });
      } else {
        if (value.length !== 8 && value.length !== 32) throw new X509Error('X509_BAD_GENERAL_NAME', `iPAddress constraint of ${value.length} octets`);
        const half = value.length / 2;
        const prefixLength = maskPrefixLength(value.subarray(half));
        if (prefixLength < 0) throw new X509Error('X509_BAD_GENERAL_NAME', 'iPAddress constraint netmask is not contiguous');
        out.ipRanges.push({ address: value.subarray(0, half), prefixLength });
      }
      return;
    }
    case contextPrimitive(8):
      out.presentTypes |= GeneralNameType.registeredID;
      out.registeredIds.push(value);
      out.entries.push({ type: 'registeredID', raw });
      return;
    default:
      throw new X509Error('X509_BAD_GENERAL_NAME', `unknown GeneralName tag 0x${tag.toString(16)}`);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName — `der` is the whole TLV. */
export function parseGeneralNames(derBytes: Uint8Array): GeneralNames {
  const r = new DerReader(derBytes, 'GeneralNames');
  const seq = r.enter(Tag.SEQUENCE, 'GeneralNames');
  if (r.hasMore()) throw new X509Error('X509_BAD_GENERAL_NAME', 'GeneralNames contains trailing data after the sequence');
  if (!seq.hasMore()) throw new X509Error('X509_BAD_GENERAL_NAME', 'GeneralNames is a sequence of 0 elements');
  const out = emptyGeneralNames();
  while (seq.hasMore()) {
    const t = seq.readAny();
    addGeneralName(t.tag, t.value, t.raw, false, out);
  }
  return out;
}

/** Text form of an IP address: dotted quad, or RFC 5952 compressed IPv6. */
export function ipToString(ip: Uint8Array): string {
  if (ip.length === 4) return Array.from(ip).join('.');
  if (ip.length !== 16) return Buffer.from(ip).toString('hex');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  // longest run of >= 2 zero groups
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

/** Node's escaping rule for alt-name values (lib/internal/tls: ',' '"' '\\' '\'' and control characters force JSON quoting). */
function nodeSafe(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x2c || c === 0x27 || c < 0x20 || c > 0x7e) return JSON.stringify(s);
  }
  return s;
}

/** Node's `subjectaltname` string: "DNS:a.example, IP Address:127.0.0.1, email:x@y, URI:...". */
export function generalNamesToNodeString(gn: GeneralNames): string {
  const parts: string[] = [];
  for (const e of gn.entries) {
    switch (e.type) {
      case 'dNSName':
        parts.push('DNS:' + nodeSafe(e.value));
        break;
      case 'rfc822Name':
        parts.push('email:' + nodeSafe(e.value));
        break;
      case 'uniformResourceIdentifier':
        parts.push('URI:' + nodeSafe(e.value));
        break;
      case 'iPAddress':
        // Node/OpenSSL print IPv6 as eight uppercase hex groups, uncompressed.
        parts.push('IP Address:' + (e.value.length === 16 ? Array.from({ length: 8 }, (_, i) => ((e.value[2 * i]! << 8) | e.value[2 * i + 1]!).toString(16).toUpperCase()).join(':') : ipToString(e.value)));
        break;
      case 'directoryName':
        parts.push('DirName:' + nodeSafe(nameToString(e.value)));
        break;
      case 'registeredID':
        parts.push('Registered ID:<unsupported>');
        break;
      case 'otherName':
        parts.push('othername:<unsupported>');
        break;
      case 'x400Address':
        parts.push('X400Name:<unsupported>');
        break;
      case 'ediPartyName':
        parts.push('EdiPartyName:<unsupported>');
        break;
    }
  }
  return parts.join(', ');
}
