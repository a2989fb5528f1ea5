/**
 * Server identity checks (RFC 6125, CA/Browser Forum Baseline Requirements,
 * RFC 9525).
 *
 * Rules, and why:
 * - Only subjectAltName is consulted. There is no commonName fallback at all
 *   (as Chromium since 58 and RFC 9525 §6.3): a CN is not name-constrained by
 *   CAs (RFC 5280 name constraints do not cover it), so trusting it would let
 *   a constrained intermediate issue for any host.
 * - IP addresses (v4, or v6 with or without brackets) match only iPAddress
 *   SANs, byte for byte; they never match a dNSName, not even "1.2.3.4".
 * - Host names are compared in ASCII, case-insensitively, ignoring one
 *   trailing dot. A U-label host name ("bücher.example") is converted to its
 *   A-label with node:url's domainToASCII first; an invalid one never matches.
 * - A wildcard is only honoured as the whole left-most label ("*.example.com"),
 *   matches exactly one non-empty label, and needs at least two labels after
 *   it. We do not ship the Public Suffix List: beyond "two labels", a small
 *   built-in list of the most common two-label public suffixes (co.uk,
 *   com.au, ...) is refused as a wildcard base. (CAs may not issue such
 *   wildcards at all under the Baseline Requirements; this is defence in depth.)
 * - Partial wildcards ("f*.example.com", "*oo.example.com"), wildcards not in
 *   the first label, and wildcard SANs for IP-looking names never match.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { Certificate } from './certificate.js';
import { ipToString } from './general-names.js';

/** Two-label public suffixes refused as wildcard bases ("*.co.uk"). Not the full PSL; see module comment. */
export const KNOWN_TWO_LABEL_PUBLIC_SUFFIXES: ReadonlySet<string> = new Set([
  'co.uk', 'org.uk', 'me.uk', 'ltd.uk', 'plc.uk', 'ac.uk', 'gov.uk', 'net.uk', 'sch.uk', 'nhs.uk',
  'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au', 'asn.au', 'id.au',
  'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp', 'ad.jp', 'ed.jp', 'gr.jp', 'lg.jp',
  'co.nz', 'net.nz', 'org.nz', 'govt.nz', 'ac.nz',
  'co.za', 'org.za', 'gov.za', 'ac.za',
  'com.br', 'net.br', 'org.br', 'gov.br',
  'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'edu.cn',
  'co.in', 'net.in', 'org.in', 'gov.in', 'ac.in',
  'co.kr', 'or.kr', 'ne.kr', 'go.kr', 'ac.kr',
  'com.mx', 'org.mx', 'gob.mx',
  'com.tw', 'org.tw', 'gov.tw', 'edu.tw',
  'com.hk', 'org.hk', 'gov.hk', 'edu.hk',
  'com.sg', 'org.sg', 'gov.sg', 'edu.sg',
  'com.tr', 'org.tr', 'gov.tr',
  'com.ar', 'com.co', 'com.pe', 'com.ve', 'com.ua', 'com.pl', 'com.ru', 'co.il', 'co.id', 'co.th', 'com.my', 'com.ph', 'com.vn',
  'github.io', 'gitlab.io', 'herokuapp.com', 'blogspot.com', 'appspot.com', 'cloudfront.net', 'azurewebsites.net', 'pages.dev', 'workers.dev', 'netlify.app', 'vercel.app',
]);

/** Parse an IP literal (optionally [v6]) to bytes, or undefined. */
export function parseIpAddress(s: string): Uint8Array | undefined {
  let t = s;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const v = isIP(t);
  if (v === 4) return Uint8Array.from(t.split('.').map(Number));
  if (v !== 6) return undefined;
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  // Expand an embedded IPv4 tail.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    t = t.slice(0, -v4[1]!.length) + ((b[0]! << 8) | b[1]!).toString(16) + ':' + ((b[2]! << 8) | b[3]!).toString(16);
  }
  const [head, tail] = t.includes('::') ? (t.split('::') as [string, string]) : [t, undefined];
  const h = head ? head.split(':') : [];
  const tl = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail !== undefined ? [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl] : h;
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

/** The host name in canonical ASCII form (lowercase A-labels, no trailing dot), or undefined if invalid. */
export function canonicalHostname(host: string): string | undefined {
  let h = host.endsWith('.') ? host.slice(0, -1) : host;
  if (h.length === 0 || h.includes('..') || h.startsWith('.')) return undefined;
  if (/[^\x21-\x7e]/.test(h) || /[A-Z]/.test(h)) {
    const a = domainToASCII(h);
    if (!a) return undefined;
    h = a;
  }
  h = h.toLowerCase();
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(h)) return undefined;
  return h;
}

/** Does a dNSName SAN match a canonical host name? */
export function dnsNameMatches(san: string, host: string): boolean {
  let p = san.toLowerCase();
  if (p.endsWith('.')) p = p.slice(0, -1);
  if (p.length === 0 || !/^[a-z0-9_*.-]+$/.test(p) || p.startsWith('.') || p.includes('..')) return false;
  if (!p.includes('*')) return p === host;
  // Wildcard: exactly "*." + base, base with >= 2 labels, not a known public suffix.
  if (!p.startsWith('*.') || p.indexOf('*', 1) >= 0) return false;
  const base = p.slice(2);
  if (!base.includes('.') || KNOWN_TWO_LABEL_PUBLIC_SUFFIXES.has(base)) return false;
  const dot = host.indexOf('.');
  if (dot <= 0) return false;
  return host.slice(dot + 1) === base && !host.startsWith('xn--');
}

export type HostnameCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Is `cert` valid for `hostname` (a DNS name or an IP literal)? */
export function checkHostname(cert: Certificate, hostname: string): HostnameCheck {
  const san = cert.subjectAltNames;
  const ip = parseIpAddress(hostname);
  if (ip) {
    const ips = san?.ipAddresses ?? [];
    if (ips.some((x) => x.length === ip.length && x.every((b, i) => b === ip[i]))) return { ok: true };
    return { ok: false, reason: `IP: ${ipToString(ip)} is not in the cert's list: ${ips.map(ipToString).join(', ')}` };
  }
  const host = canonicalHostname(hostname);
  if (host === undefined) return { ok: false, reason: `Host: ${hostname} is not a valid host name` };
  const dns = san?.dnsNames ?? [];
  if (dns.some((d) => dnsNameMatches(d, host))) return { ok: true };
  if (!san || dns.length === 0) return { ok: false, reason: `Host: ${hostname}. is not in the cert's altnames: (no DNS names; commonName is not used)` };
  return { ok: false, reason: `Host: ${hostname}. is not in the cert's altnames: ${dns.map((d) => 'DNS:' + d).join(', ')}` };
}
