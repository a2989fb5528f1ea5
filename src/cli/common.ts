/**
 * What the CLI commands share: their I/O, reading files with clear errors,
 * TLS flags → options, --trace / --keylog / SSLKEYLOGFILE wiring, and the
 * "what was negotiated" summary.
 */
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { HandshakeSummary } from '../connection.js';
import type { CommonOptions } from '../node/options.js';
import type { TLSSocket } from '../node/tlssocket.js';
import { TLSError } from '../errors.js';
import { groupName, signatureSchemeName } from '../registry.js';
import { keyLogFileWriter, keyLogFromEnv, streamTracer } from '../trace/index.js';
import { summarizeCertificate } from '../trace/certificate-summary.js';
import { CliError, UsageError, bool, list, str, type OptionSpec, type ParsedValues } from './args.js';

export interface CliIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIO(): CliIO {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

export function readFileFor(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(`cannot read ${flag} ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
}

/** Options every TLS-speaking command takes. */
export const TLS_FLAGS: Readonly<Record<string, OptionSpec>> = {
  cafile: { type: 'string', arg: 'FILE', help: 'trust the CA certificates in this PEM file' },
  'tls1.2': { type: 'boolean', help: 'TLS 1.2 only' },
  'tls1.3': { type: 'boolean', help: 'TLS 1.3 only' },
  cipher: { type: 'string', arg: 'LIST', help: 'cipher suites, colon-separated (IANA or OpenSSL names)' },
  group: { type: 'string', arg: 'LIST', help: 'key exchange groups, colon-separated (x25519:secp256r1:X25519MLKEM768...)' },
  alpn: { type: 'string', arg: 'LIST', help: 'ALPN protocols, comma-separated (h2,http/1.1)' },
  trace: { type: 'boolean', help: 'print every record and handshake message (Wireshark-style) to stderr' },
  'trace-json': { type: 'boolean', help: 'like --trace, as JSON lines (also spelled --trace=json)' },
  explain: { type: 'boolean', help: 'with --trace: say what each message is for' },
  keylog: { type: 'string', arg: 'FILE', help: 'append TLS secrets to FILE (NSS key log; SSLKEYLOGFILE works too)' },
};

const split = (s: string | undefined, sep: RegExp): string[] | undefined => (s === undefined ? undefined : s.split(sep).map((x) => x.trim()).filter((x) => x.length > 0));

/** --tls1.2/--tls1.3/--cipher/--group/--alpn/--cafile → node:tls-style options. */
export function tlsOptionsFrom(v: ParsedValues): CommonOptions {
  const o: CommonOptions = {};
  if (bool(v, 'tls1.2') && bool(v, 'tls1.3')) throw new UsageError('--tls1.2 and --tls1.3 exclude each other');
  if (bool(v, 'tls1.2')) {
    o.minVersion = 'TLSv1.2';
    o.maxVersion = 'TLSv1.2';
  }
  if (bool(v, 'tls1.3')) {
    o.minVersion = 'TLSv1.3';
    o.maxVersion = 'TLSv1.3';
  }
  const cipher = split(str(v, 'cipher'), /[:,]/);
  if (cipher) o.cipherSuites = cipher;
  const group = split(str(v, 'group'), /[:,]/);
  if (group) o.groups = group;
  const alpn = split(str(v, 'alpn'), /,/);
  if (alpn) o.ALPNProtocols = alpn;
  const ca = str(v, 'cafile');
  if (ca) o.ca = readFileFor('--cafile', ca).toString('latin1');
  if (bool(v, 'trace') || bool(v, 'trace-json')) o.trace = true;
  return o;
}

export function certAndKey(v: ParsedValues, required: boolean): Pick<CommonOptions, 'cert' | 'key'> {
  const cert = str(v, 'cert');
  const key = str(v, 'key');
  if (!cert && !key) {
    if (required) throw new UsageError('--cert and --key are required');
    return {};
  }
  if (!cert || !key) throw new UsageError('--cert and --key go together');
  return { cert: readFileFor('--cert', cert).toString('latin1'), key: readFileFor('--key', key).toString('latin1') };
}

/** Attach --trace and --keylog / SSLKEYLOGFILE to a socket. */
export function instrument(socket: TLSSocket, v: ParsedValues, io: CliIO, side: 'client' | 'server', label?: string): void {
  if (bool(v, 'trace') || bool(v, 'trace-json')) {
    const tracer = streamTracer({
      format: bool(v, 'trace-json') ? 'json' : 'text',
      explain: bool(v, 'explain'),
      stream: io.stderr,
      side,
      ...(label ? { label } : {}),
    });
    socket.on('trace', tracer.onEvent);
    socket.once('close', () => tracer.flush());
  }
  const writers: ((line: string) => void)[] = [];
  const path = str(v, 'keylog');
  if (path) writers.push(keyLogFileWriter(path));
  const env = keyLogFromEnv(io.env);
  if (env && io.env['SSLKEYLOGFILE'] !== path) writers.push(env);
  if (writers.length > 0) socket.on('keylog', (line: Buffer) => writers.forEach((w) => w(line.toString('latin1'))));
}

export { list, str, bool };

/** One line for a failure: what failed, and which alert. */
export function describeError(e: unknown): string {
  if (e instanceof TLSError) {
    if (!e.alert) return e.message;
    const base = e.message.replace(/ \(sent alert [^)]*\)$/, '');
    return e.alert.direction === 'received' ? `${base} [alert ${e.alert.name} (${e.alert.number}) received]` : `${base} [alert ${e.alert.name} (${e.alert.number}) sent]`;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && err.code === 'ECONNREFUSED') return `connection refused (${(err as { address?: string }).address ?? ''}:${(err as { port?: number }).port ?? ''})`;
  if (err && err.code === 'ENOTFOUND') return `host not found: ${(err as { hostname?: string }).hostname ?? ''}`;
  return err instanceof Error ? err.message : String(e);
}

const kxName = (s: HandshakeSummary): string => {
  if (s.group !== undefined) return groupName(s.group);
  return s.cipherSuite.kx === 'RSA' ? 'RSA key transport (no forward secrecy)' : s.resumed ? 'PSK only' : 'none';
};

/** "What was negotiated" plus the peer's chain, for humans. */
export function summaryLines(s: HandshakeSummary, peerLabel: string): string[] {
  const lines = [
    `Protocol      ${s.version}`,
    `Cipher suite  ${s.cipherSuite.name}`,
    `Key exchange  ${kxName(s)}`,
    `Signature     ${s.peerSignatureScheme === undefined ? '(none)' : signatureSchemeName(s.peerSignatureScheme)}`,
    `ALPN          ${s.alpnProtocol ?? '(none)'}`,
    `SNI           ${s.serverName ?? '(none)'}`,
    `Session       ${s.resumed ? 'resumed' : 'new'}${s.version === 'TLSv1.2' ? `, extended master secret ${s.extendedMasterSecret ? 'yes' : 'no'}` : ''}${s.earlyDataAccepted ? ', early data accepted' : ''}`,
    `Round trips   ${s.roundTrips}`,
    `Verification  ${s.authorized ? 'OK' : `not verified${s.authorizationError ? ` (${s.authorizationError})` : ''}`}`,
  ];
  if (s.peerCertificates.length > 0) {
    lines.push(`${peerLabel} certificate chain:`);
    s.peerCertificates.forEach((der, i) => {
      const c = summarizeCertificate(der);
      if (!c) {
        lines.push(`  ${i} (unparsable, ${der.length} bytes)`);
        return;
      }
      const get = (n: string): string | undefined => c.children.find((x) => x.name === n)?.value;
      lines.push(`  ${i} s: ${c.subject}`);
      lines.push(`    i: ${get('Issuer') ?? '?'}`);
      lines.push(`    valid ${get('Not Before') ?? '?'} → ${get('Not After') ?? '?'}${get('Public Key') ? `, ${get('Public Key')}` : ''}`);
      const san = get('Subject Alternative Name');
      if (san) lines.push(`    ${san}`);
    });
  }
  return lines;
}
