/**
 * Display names for the tracer, all derived from the one registry
 * (src/registry.ts): Wireshark capitalises the snake_case IANA names for some
 * fields ("Handshake Type: Client Hello (1)", "Description: Handshake Failure (40)")
 * and keeps them for others ("Cipher Suite: TLS_AES_128_GCM_SHA256 (0x1301)").
 * Nothing here introduces a name of its own except Wireshark's spelling.
 */
import {
  AlertLevel,
  ClientCertificateType,
  ECPointFormat,
  KeyUpdateRequest,
  ProtocolVersion,
  alertName,
  contentTypeName,
  extensionName,
  handshakeTypeName,
  isGrease,
  versionLabel,
} from '../registry.js';

/** Words Wireshark writes in capitals or lower case when it title-cases an IANA name. */
const WORD: Readonly<Record<string, string>> = {
  mac: 'MAC',
  ca: 'CA',
  psk: 'PSK',
  url: 'URL',
  rsa: 'RSA',
  ecdsa: 'ECDSA',
  dss: 'DSS',
  dh: 'DH',
  of: 'of',
};

/** "bad_record_mac" → "Bad Record MAC"; unknown names ("Unknown (0x63)") → "Unknown". */
export function titleCase(name: string): string {
  if (name.startsWith('Unknown')) return 'Unknown';
  return name
    .split('_')
    .map((w, i) => WORD[w] && (i > 0 || WORD[w] !== 'of') ? WORD[w]! : w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** "client_hello" → "ClientHello" (flight headers and summaries). */
export function camelName(name: string): string {
  if (name.startsWith('Unknown')) return name;
  return name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** Wireshark: "Client Hello". */
export function handshakeTitle(type: number): string {
  return titleCase(handshakeTypeName(type));
}

/** Wireshark: "Handshake", "Change Cipher Spec", "Application Data". */
export function contentTypeTitle(type: number): string {
  return titleCase(contentTypeName(type));
}

/** Wireshark: "Handshake Failure". */
export function alertTitle(description: number): string {
  return titleCase(alertName(description));
}

function inverse(t: Readonly<Record<string, number>>): Map<number, string> {
  const m = new Map<number, string>();
  for (const [k, v] of Object.entries(t)) if (!m.has(v)) m.set(v, k);
  return m;
}

const levels = inverse(AlertLevel);
/** Wireshark: "Fatal", "Warning". */
export function alertLevelTitle(level: number): string {
  const n = levels.get(level);
  return n ? titleCase(n) : 'Unknown';
}

const pointFormats = inverse(ECPointFormat);
export function ecPointFormatName(v: number): string {
  return pointFormats.get(v) ?? 'Unknown';
}

const certTypes = inverse(ClientCertificateType);
/** Wireshark: "RSA Sign", "ECDSA Sign". */
export function clientCertificateTypeTitle(v: number): string {
  const n = certTypes.get(v);
  return n ? titleCase(n) : 'Unknown';
}

const keyUpdates = inverse(KeyUpdateRequest);
export function keyUpdateRequestName(v: number): string {
  return keyUpdates.get(v) ?? 'Unknown';
}

const versions = inverse(ProtocolVersion);
/** Record-layer prefix as Wireshark writes it: "TLSv1", "TLSv1.2", "SSLv3". */
export function versionShortName(v: number): string {
  return versions.get(v) ?? 'TLS';
}

/** "TLS 1.3 (0x0304)", with GREASE named as Wireshark does. */
export function versionValue(v: number): string {
  return isGrease(v) ? `Reserved (GREASE) (${hex4(v)})` : versionLabel(v);
}

/** "Extension: server_name", unknown ones "Unknown type 1234". */
export function extensionTitle(type: number): string {
  const n = extensionName(type);
  return n.startsWith('Unknown') ? `Unknown type ${type}` : n;
}

/** The "Type:" line of an extension: "server_name (0)", "Unknown (1234)". */
export function extensionTypeValue(type: number): string {
  const n = extensionName(type);
  return `${n.startsWith('Unknown') ? 'Unknown' : n} (${type})`;
}

/** RFC 8446 §4.2.9 modes as Wireshark spells them. */
export function pskModeValue(v: number): string {
  if (v === 0) return 'PSK-only key establishment (psk_ke) (0)';
  if (v === 1) return 'PSK with (EC)DHE key establishment (psk_dhe_ke) (1)';
  return `Unknown (${v})`;
}

export function hex4(v: number): string {
  return '0x' + v.toString(16).padStart(4, '0');
}

export function hex2(v: number): string {
  return '0x' + v.toString(16).padStart(2, '0');
}

/** Wireshark's unsigned_time_secs_to_str: "7200 seconds (2 hours)", "90 seconds (1 minute, 30 seconds)". */
export function secondsValue(s: number): string {
  if (s === 0) return '0 seconds';
  const parts: string[] = [];
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  let rest = s;
  for (const [size, unit] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  }
  return `${s} seconds (${parts.join(', ')})`;
}

/** "2 suites", "1 method". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
