/**
 * NSS key log files (SSLKEYLOGFILE), as browsers, curl and OpenSSL write them
 * and Wireshark reads them to decrypt a capture:
 *
 *   CLIENT_RANDOM <client random hex> <master secret hex>                      (TLS 1.2)
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random hex> <secret hex>           (TLS 1.3, also
 *   SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0,
 *   EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET, EARLY_EXPORTER_SECRET)
 *
 * The engine produces the lines (ConnectionSink.keylog, no newline); this module
 * writes them to a file and reads them back.
 *
 *   const keylog = keyLogFromEnv();            // undefined unless SSLKEYLOGFILE is set
 *   const sink = { ..., keylog };
 */
import { appendFileSync } from 'node:fs';
import { DecodeError } from '../wire/reader.js';

/** Labels of the NSS key log format (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/). */
export const KEY_LOG_LABELS = [
  'CLIENT_RANDOM',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EARLY_EXPORTER_SECRET',
  'EXPORTER_SECRET',
] as const;

/**
 * A writer that appends each line (plus '\n') to `path`, creating the file
 * with mode 0600: the secrets in it decrypt every logged session. Lines that
 * contain a line break are refused (they would corrupt the file for readers).
 * Each call is one append, so several connections may share one file.
 */
export function keyLogFileWriter(path: string): (line: string) => void {
  return (line: string): void => {
    const text = line.endsWith('\n') ? line.slice(0, -1) : line;
    if (/[\r\n]/.test(text)) return;
    appendFileSync(path, text + '\n', { mode: 0o600, flag: 'a' });
  };
}

/**
 * SSLKEYLOGFILE, as browsers and curl honour it: a writer for that file, or
 * undefined when the variable is unset or empty.
 */
export function keyLogFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ((line: string) => void) | undefined {
  const path = env['SSLKEYLOGFILE'];
  if (path === undefined || path === '') return undefined;
  return keyLogFileWriter(path);
}

export interface KeyLogEntry {
  readonly label: string;
  /** The 32-byte ClientHello.random that identifies the session (for "RSA" lines: the first 8 bytes of the encrypted pre-master secret). */
  readonly clientRandom: Uint8Array;
  readonly secret: Uint8Array;
  /** 1-based line number in the text. */
  readonly line: number;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * Parse a key log. Blank lines and '#' comments are skipped. Malformed lines
 * are skipped too (as Wireshark does), unless `strict`, which throws a
 * DecodeError naming the line.
 */
export function parseKeyLog(text: string, options: { readonly strict?: boolean } = {}): KeyLogEntry[] {
  const out: KeyLogEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) continue;
    const parts = l.split(/\s+/);
    const problem = checkLine(parts);
    if (problem !== undefined) {
      if (options.strict) throw new DecodeError(`key log line ${i + 1}: ${problem}`);
      continue;
    }
    out.push({
      label: parts[0]!,
      clientRandom: new Uint8Array(Buffer.from(parts[1]!, 'hex')),
      secret: new Uint8Array(Buffer.from(parts[2]!, 'hex')),
      line: i + 1,
    });
  }
  return out;
}

function checkLine(parts: readonly string[]): string | undefined {
  if (parts.length !== 3) return `expected 3 fields, got ${parts.length}`;
  const [label, id, secret] = parts as [string, string, string];
  if (!/^[A-Z0-9_]+$/.test(label)) return `bad label ${JSON.stringify(label)}`;
  if (!HEX.test(id) || !HEX.test(secret)) return 'fields 2 and 3 must be hex';
  if (label === 'RSA') return id.length === 16 ? undefined : 'RSA line needs 8 bytes of encrypted pre-master secret';
  if (id.length !== 64) return 'client random must be 32 bytes';
  if (label === 'CLIENT_RANDOM' && secret.length !== 96) return 'master secret must be 48 bytes';
  return undefined;
}

/** Find the secret for `label` and a client random (hex or bytes) in parsed entries. */
export function findKeyLogSecret(entries: readonly KeyLogEntry[], label: string, clientRandom: Uint8Array): Uint8Array | undefined {
  for (const e of entries) {
    if (e.label === label && e.clientRandom.length === clientRandom.length && e.clientRandom.every((v, i) => v === clientRandom[i])) return e.secret;
  }
  return undefined;
}
