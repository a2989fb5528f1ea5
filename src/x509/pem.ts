/**
 * PEM (RFC 7468): base64 between "-----BEGIN label-----" and "-----END label-----".
 *
 * Strict where it matters (labels must match, base64 must be canonical) and
 * lenient where files in the wild differ harmlessly (text before/between
 * blocks, CRLF, "#" comment lines around blocks as in the BoringSSL test data).
 */
import { X509Error } from './errors.js';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const BEGIN = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[\x21-\x2c\x2e-\x7e -]*[\x21-\x2c\x2e-\x7e])?)-----\s*$/;

/** Every PEM block in `text`, in order. */
export function decodePemBlocks(text: string): PemBlock[] {
  const lines = text.split(/\r?\n/);
  const out: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = BEGIN.exec(lines[i]!);
    if (!m) continue;
    const label = m[1]!;
    const end = `-----END ${label}-----`;
    let b64 = '';
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trim().startsWith(end); j++) {
      const l = lines[j]!.trim();
      if (l.includes(':')) continue; // RFC 1421 headers (Proc-Type etc.) are not base64
      b64 += l;
    }
    if (j >= lines.length) throw new X509Error('X509_BAD_PEM', `PEM block "${label}" has no END line`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
      throw new X509Error('X509_BAD_PEM', `PEM block "${label}" is not valid base64`);
    }
    const der = new Uint8Array(Buffer.from(b64, 'base64'));
    if (Buffer.from(der).toString('base64') !== b64) throw new X509Error('X509_BAD_PEM', `PEM block "${label}" is not canonical base64`);
    out.push({ label, der });
    i = j;
  }
  return out;
}

/** The DER of every block with `label`. */
export function decodePem(text: string, label: string): Uint8Array[] {
  return decodePemBlocks(text)
    .filter((b) => b.label === label)
    .map((b) => b.der);
}

export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function looksLikePem(x: string | Uint8Array): boolean {
  const s = typeof x === 'string' ? x : Buffer.from(x.subarray(0, 64)).toString('latin1');
  return s.includes('-----BEGIN ');
}
