/**
 * ts-tls cert — like mkcert: a local CA, certificates for names, CSRs, and
 * a CA signing a CSR. Writes PEM files and says where.
 *
 *   ts-tls cert ca                      → ca.pem, ca-key.pem
 *   ts-tls cert leaf localhost 127.0.0.1 → localhost+1.pem, localhost+1-key.pem (CA created if missing)
 *   ts-tls cert csr example.test        → example.test.csr, example.test-key.pem
 *   ts-tls cert sign example.test.csr   → example.test.pem
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isIP } from 'node:net';
import { createCertificate, createCsr, generateKeyPair, signCsr, type KeyPairOptions } from '../x509/index.js';
import { Certificate } from '../x509/certificate.js';
import { CliError, UsageError, helpText, parseCommand, type CommandSpec, type OptionSpec } from './args.js';
import { bool, readFileFor, str, type CliIO } from './common.js';

const COMMON: Record<string, OptionSpec> = {
  out: { type: 'string', arg: 'DIR', help: 'folder for the files (default: the current folder)' },
  'key-type': { type: 'string', arg: 'TYPE', help: 'ec (P-256, default), p384, rsa (2048), rsa4096 or ed25519' },
  days: { type: 'string', arg: 'N', help: 'validity in days (default: CA 3650, others 825)' },
};
const CA_FILES: Record<string, OptionSpec> = {
  ca: { type: 'string', arg: 'FILE', help: 'CA certificate (default: OUT/ca.pem)' },
  'ca-key': { type: 'string', arg: 'FILE', help: 'CA private key (default: OUT/ca-key.pem)' },
};

export const certSpecs: Record<string, CommandSpec> = {
  ca: {
    name: 'cert ca',
    usage: 'ts-tls cert ca [--name "CN=My Dev CA"] [options]',
    summary: 'Create a CA certificate and key (ca.pem, ca-key.pem).',
    options: { name: { type: 'string', arg: 'DN', help: 'subject (default "O=ts-tls development CA, CN=ts-tls local CA")' }, ...COMMON, force: { type: 'boolean', help: 'overwrite existing files' } },
  },
  leaf: {
    name: 'cert leaf',
    usage: 'ts-tls cert leaf NAME... [options]',
    summary: 'Issue a certificate for host names and IP addresses, signed by the CA (created first if there is none).',
    options: { ...CA_FILES, ...COMMON, client: { type: 'boolean', help: 'a client certificate (clientAuth) instead of a server one' } },
  },
  csr: {
    name: 'cert csr',
    usage: 'ts-tls cert csr NAME... [--key FILE] [options]',
    summary: 'Create a certificate signing request for the names (and a new key unless --key is given).',
    options: { key: { type: 'string', arg: 'FILE', help: 'use this private key instead of generating one' }, ...COMMON },
  },
  sign: {
    name: 'cert sign',
    usage: 'ts-tls cert sign CSR-FILE [options]',
    summary: 'Have the CA sign a CSR: subject, key and requested names are carried over.',
    options: { ...CA_FILES, ...COMMON, output: { type: 'string', short: 'o', arg: 'FILE', help: 'certificate file (default: the CSR\'s name with .pem)' } },
  },
};

const TOP_HELP = `Usage: ts-tls cert <ca|leaf|csr|sign> [options]

Make certificates for local development and testing (like mkcert).

Commands:
  ca               create a CA certificate and key
  leaf NAME...     a certificate for names/IPs, signed by the CA (created if missing)
  csr NAME...      a certificate signing request (and key)
  sign CSR-FILE    the CA signs a CSR

Run "ts-tls cert <command> --help" for its options.
`;

function keyType(v: string | undefined): KeyPairOptions {
  switch (v ?? 'ec') {
    case 'ec':
    case 'p256':
      return { type: 'ec', curve: 'P-256' };
    case 'p384':
      return { type: 'ec', curve: 'P-384' };
    case 'rsa':
      return { type: 'rsa', bits: 2048 };
    case 'rsa4096':
      return { type: 'rsa', bits: 4096 };
    case 'ed25519':
      return { type: 'ed25519' };
    default:
      throw new UsageError(`unknown --key-type ${v} (ec, p384, rsa, rsa4096, ed25519)`);
  }
}

function days(v: string | undefined, dflt: number): { notBefore: Date; notAfter: Date } {
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 36500) throw new UsageError(`bad --days ${v}`);
  const notBefore = new Date(Date.now() - 60 * 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + n * 86_400_000) };
}

function outDir(v: Record<string, unknown>, io: CliIO): string {
  const d = resolve(io.cwd, typeof v['out'] === 'string' ? v['out'] : '.');
  try {
    mkdirSync(d, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create --out ${d}: ${(e as Error).message}`);
  }
  return d;
}

function write(path: string, text: string, mode?: number): void {
  try {
    writeFileSync(path, text, mode === undefined ? {} : { mode });
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

function names(positionals: string[]): { dns: string[]; ip: string[] } {
  if (positionals.length === 0) throw new UsageError('give at least one host name or IP address');
  const dns: string[] = [];
  const ip: string[] = [];
  for (const n of positionals) {
    if (isIP(n)) ip.push(n);
    else if (/^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(n)) dns.push(n.toLowerCase());
    else throw new UsageError(`"${n}" is not a host name or IP address`);
  }
  return { dns, ip };
}

/** mkcert's file naming: first name, "+N" for N more; "*" becomes "_wildcard". */
function stem(positionals: string[]): string {
  const first = positionals[0]!.replace(/^\*/, '_wildcard').replace(/:/g, '_');
  return positionals.length > 1 ? `${first}+${positionals.length - 1}` : first;
}

export interface CaFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Create a CA in `dir` (ca.pem, ca-key.pem). */
export async function createCa(dir: string, o: { subject?: string; key?: KeyPairOptions; days?: number } = {}): Promise<CaFiles> {
  const kp = generateKeyPair(o.key ?? { type: 'ec', curve: 'P-256' });
  const ca = await createCertificate({
    subject: o.subject ?? 'O=ts-tls development CA, CN=ts-tls local CA',
    privateKeyPem: kp.privateKeyPem,
    isCA: true,
    pathLen: 0,
    ...days(String(o.days ?? 3650), 3650),
  });
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  write(certPath, ca.pem);
  write(keyPath, kp.privateKeyPem, 0o600);
  return { certPath, keyPath, certPem: ca.pem, keyPem: kp.privateKeyPem };
}

export interface LeafFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Issue a leaf for names, signed by the CA, into `dir`. */
export async function issueLeaf(dir: string, ca: Pick<CaFiles, 'certPem' | 'keyPem'>, hostnames: string[], o: { key?: KeyPairOptions; days?: number; client?: boolean } = {}): Promise<LeafFiles> {
  const { dns, ip } = names(hostnames);
  const kp = generateKeyPair(o.key ?? { type: 'ec', curve: 'P-256' });
  const leaf = await createCertificate({
    subject: { O: 'ts-tls development certificate', CN: hostnames[0]! },
    publicKey: kp.publicKeySpki,
    issuer: { certificate: ca.certPem, privateKeyPem: ca.keyPem },
    extKeyUsage: o.client ? ['clientAuth'] : ['serverAuth'],
    subjectAltNames: { dns, ip },
    ...days(String(o.days ?? 825), 825),
  });
  const s = stem(hostnames);
  const certPath = join(dir, `${s}.pem`);
  const keyPath = join(dir, `${s}-key.pem`);
  write(certPath, leaf.pem);
  write(keyPath, kp.privateKeyPem, 0o600);
  return { certPath, keyPath, certPem: leaf.pem, keyPem: kp.privateKeyPem };
}

function loadCa(v: Record<string, unknown>, dir: string): CaFiles | undefined {
  const certPath = typeof v['ca'] === 'string' ? resolve(v['ca']) : join(dir, 'ca.pem');
  const keyPath = typeof v['ca-key'] === 'string' ? resolve(v['ca-key']) : join(dir, 'ca-key.pem');
  const given = typeof v['ca'] === 'string' || typeof v['ca-key'] === 'string';
  if (!given && !existsSync(certPath) && !existsSync(keyPath)) return undefined;
  const certPem = readFileFor('--ca', certPath).toString('latin1');
  const keyPem = readFileFor('--ca-key', keyPath).toString('latin1');
  try {
    const c = Certificate.fromPem(certPem);
    if (!c.basicConstraints?.isCA) throw new CliError(`${certPath} is not a CA certificate (basicConstraints cA is not set)`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read the CA certificate ${certPath}: ${(e as Error).message}`);
  }
  return { certPath, keyPath, certPem, keyPem };
}

const rel = (io: CliIO, p: string): string => (p.startsWith(io.cwd + '/') ? './' + p.slice(io.cwd.length + 1) : p);

export async function runCert(argv: readonly string[], io: CliIO): Promise<number> {
  const sub = argv[0];
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(TOP_HELP);
    return sub === undefined ? 2 : 0;
  }
  const spec = certSpecs[sub];
  if (!spec) throw new UsageError(`unknown cert command "${sub}" (ca, leaf, csr, sign)`);
  const p = parseCommand(spec, argv.slice(1));
  if (p.help) {
    io.stdout.write(helpText(spec));
    return 0;
  }
  const v = p.values;
  const dir = outDir(v, io);
  const key = keyType(str(v, 'key-type'));
  const d = str(v, 'days');
  const nDays = d === undefined ? undefined : Number(d);
  if (d !== undefined) days(d, 1);
  try {
    switch (sub) {
      case 'ca': {
        if (p.positionals.length > 0) throw new UsageError(`unexpected argument ${p.positionals[0]}`);
        if (!bool(v, 'force') && (existsSync(join(dir, 'ca.pem')) || existsSync(join(dir, 'ca-key.pem')))) {
          throw new CliError(`${rel(io, join(dir, 'ca.pem'))} already exists (use --force to replace it)`);
        }
        const ca = await createCa(dir, { key, ...(str(v, 'name') ? { subject: str(v, 'name')! } : {}), ...(nDays ? { days: nDays } : {}) });
        io.stdout.write(`Created a new CA\n  certificate: ${rel(io, ca.certPath)}\n  key:         ${rel(io, ca.keyPath)}\nTrust it with --cafile ${rel(io, ca.certPath)}\n`);
        return 0;
      }
      case 'leaf': {
        names(p.positionals);
        let ca = loadCa(v, dir);
        if (!ca) {
          ca = await createCa(dir, { key });
          io.stdout.write(`Created a new CA: ${rel(io, ca.certPath)} (key ${rel(io, ca.keyPath)})\n`);
        }
        const leaf = await issueLeaf(dir, ca, p.positionals, { key, ...(nDays ? { days: nDays } : {}), client: bool(v, 'client') });
        io.stdout.write(
          `Created a ${bool(v, 'client') ? 'client' : 'server'} certificate for ${p.positionals.map((n) => `"${n}"`).join(', ')}\n` +
            `  certificate: ${rel(io, leaf.certPath)}\n  key:         ${rel(io, leaf.keyPath)}\n  issued by:   ${rel(io, ca.certPath)}\n`,
        );
        return 0;
      }
      case 'csr': {
        const { dns, ip } = names(p.positionals);
        const s = stem(p.positionals);
        const keyPath = str(v, 'key');
        let keyPem: string;
        let newKeyPath: string | undefined;
        if (keyPath) keyPem = readFileFor('--key', keyPath).toString('latin1');
        else {
          keyPem = generateKeyPair(key).privateKeyPem;
          newKeyPath = join(dir, `${s}-key.pem`);
          write(newKeyPath, keyPem, 0o600);
        }
        const csr = await createCsr({ subject: { CN: p.positionals[0]! }, privateKeyPem: keyPem, subjectAltNames: { dns, ip } });
        const csrPath = join(dir, `${s}.csr`);
        write(csrPath, csr.pem);
        io.stdout.write(`Created a certificate signing request\n  request: ${rel(io, csrPath)}\n${newKeyPath ? `  key:     ${rel(io, newKeyPath)}\n` : ''}Sign it with: ts-tls cert sign ${rel(io, csrPath)}\n`);
        return 0;
      }
      case 'sign': {
        if (p.positionals.length !== 1) throw new UsageError(p.positionals.length === 0 ? 'missing CSR-FILE' : `unexpected argument ${p.positionals[1]}`);
        const csrPath = resolve(io.cwd, p.positionals[0]!);
        const csrPem = readFileFor('CSR', csrPath).toString('latin1');
        const ca = loadCa(v, dir);
        if (!ca) throw new CliError(`no CA: give --ca and --ca-key, or create one with "ts-tls cert ca"`);
        const cert = await signCsr({ csr: csrPem, issuer: { certificate: ca.certPem, privateKeyPem: ca.keyPem }, extKeyUsage: ['serverAuth', 'clientAuth'], ...days(d, 825) });
        const outPath = str(v, 'output') ? resolve(io.cwd, str(v, 'output')!) : join(dir, basename(csrPath).replace(/\.(csr|pem|req)$/i, '') + '.pem');
        write(outPath, cert.pem);
        io.stdout.write(`Signed ${rel(io, csrPath)}\n  certificate: ${rel(io, outPath)}\n  subject:     ${cert.certificate.subjectString}\n  issued by:   ${rel(io, ca.certPath)}\n`);
        return 0;
      }
    }
  } catch (e) {
    if (e instanceof CliError || e instanceof UsageError) throw e;
    throw new CliError(`cert ${sub} failed: ${(e as Error).message}`);
  }
  return 0;
}
