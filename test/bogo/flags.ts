/**
 * BoGo shim flags (BoringSSL ssl/test/test_config.cc at 88a537fe): which ones the shim honours,
 * which it accepts as no-ops, and how they are parsed. Any other flag means "unimplemented" (exit 89).
 *
 * A flag may be prefixed with -on-initial-, -on-resume- or -on-retry-: it then applies only to the
 * first connection, to the resumption connections, or to the connection retried after a 0-RTT
 * rejection. A bare flag applies to all of them.
 */

export type FlagKind = 'bool' | 'int' | 'string' | 'base64' | 'intvector';

/** Flags the shim implements, with their kind. */
export const FLAGS: Readonly<Record<string, FlagKind>> = {
  // plumbing
  '-port': 'int',
  '-shim-id': 'int',
  '-ipv6': 'bool',
  '-server': 'bool',
  '-key-file': 'string',
  '-cert-file': 'string',
  '-trust-cert': 'string',
  '-resume-count': 'int',
  '-shim-writes-first': 'bool',
  '-shim-shuts-down': 'bool',
  '-check-close-notify': 'bool',
  '-read-size': 'int',
  '-resumption-delay': 'int',
  // versions
  '-min-version': 'int',
  '-max-version': 'int',
  '-expect-version': 'int',
  '-no-tls13': 'bool',
  '-no-tls12': 'bool',
  '-no-tls11': 'bool',
  '-no-tls1': 'bool',
  // suites, groups, signatures
  '-cipher': 'string',
  '-expect-cipher': 'int',
  '-expect-cipher-aes': 'int',
  '-expect-cipher-no-aes': 'int',
  '-server-preference': 'bool',
  '-curves': 'intvector',
  '-expect-curve-id': 'int',
  '-verify-prefs': 'intvector',
  '-expect-peer-signature-algorithm': 'int',
  // ALPN and SNI
  '-advertise-alpn': 'string',
  '-expect-alpn': 'string',
  '-select-alpn': 'string',
  '-decline-alpn': 'bool',
  '-host-name': 'string',
  '-expect-server-name': 'string',
  // certificates
  '-verify-peer': 'bool',
  '-require-any-client-certificate': 'bool',
  '-verify-fail': 'bool',
  '-use-custom-verify-callback': 'bool',
  '-expect-verify-result': 'bool',
  '-expect-peer-cert-file': 'string',
  // sessions and 0-RTT
  '-expect-session-miss': 'bool',
  '-expect-no-session': 'bool',
  '-expect-session-id': 'bool',
  '-expect-no-session-id': 'bool',
  '-no-ticket': 'bool',
  '-expect-ticket-supports-early-data': 'bool',
  '-enable-early-data': 'bool',
  '-expect-accept-early-data': 'bool',
  '-expect-reject-early-data': 'bool',
  // the rest
  '-export-keying-material': 'int',
  '-export-label': 'string',
  '-export-context': 'string',
  '-use-export-context': 'bool',
  '-expect-extended-master-secret': 'bool',
  '-false-start': 'bool',
  '-max-send-fragment': 'int',
  '-key-update': 'bool',
  '-tls-unique': 'bool',
  '-handshake-twice': 'bool',
  '-no-op-extra-handshake': 'bool',
};

/**
 * Flags that only change BoringSSL's own machinery (I/O wrappers, callback styles, hints) and nothing
 * the runner can observe: accepted and ignored.
 */
export const NO_OP_FLAGS: Readonly<Record<string, FlagKind>> = {
  '-async': 'bool', // BoringSSL's one-byte-at-a-time BIO and asynchronous callbacks
  '-implicit-handshake': 'bool', // the first SSL_read/SSL_write drives the handshake
  '-renegotiate-never': 'bool', // the default, and the only mode ts-tls has
};

export type FlagValue = boolean | number | string | Uint8Array | number[];

export interface ParsedFlags {
  /** Flags applying to every connection. */
  readonly all: Map<string, FlagValue>;
  readonly initial: Map<string, FlagValue>;
  readonly resume: Map<string, FlagValue>;
  readonly retry: Map<string, FlagValue>;
}

export class Unimplemented extends Error {}

export function parseFlags(argv: readonly string[]): ParsedFlags {
  const out: ParsedFlags = { all: new Map(), initial: new Map(), resume: new Map(), retry: new Map() };
  for (let i = 0; i < argv.length; i++) {
    let name = argv[i]!;
    let target = out.all;
    for (const [prefix, map] of [['-on-initial-', out.initial], ['-on-resume-', out.resume], ['-on-retry-', out.retry]] as const) {
      if (name.startsWith(prefix)) {
        name = '-' + name.slice(prefix.length);
        target = map;
      }
    }
    const kind = FLAGS[name] ?? NO_OP_FLAGS[name];
    if (kind === undefined) throw new Unimplemented(`unimplemented flag: ${argv[i]}`);
    if (kind === 'bool') {
      target.set(name, true);
      continue;
    }
    const raw = argv[++i];
    if (raw === undefined) throw new Error(`flag ${name} needs a value`);
    switch (kind) {
      case 'int': {
        const n = Number(raw);
        if (!Number.isInteger(n)) throw new Error(`flag ${name}: bad integer ${raw}`);
        target.set(name, n);
        break;
      }
      case 'intvector': {
        const n = Number(raw);
        if (!Number.isInteger(n)) throw new Error(`flag ${name}: bad integer ${raw}`);
        const prev = target.get(name);
        target.set(name, Array.isArray(prev) ? [...prev, n] : [n]);
        break;
      }
      case 'base64':
        target.set(name, new Uint8Array(Buffer.from(raw, 'base64')));
        break;
      default:
        target.set(name, raw);
    }
  }
  return out;
}

/** The flags in force for one connection. */
export class ConnectionFlags {
  private readonly map: Map<string, FlagValue>;
  constructor(parsed: ParsedFlags, phase: 'initial' | 'resume' | 'retry') {
    this.map = new Map(parsed.all);
    const layer = phase === 'initial' ? parsed.initial : phase === 'resume' ? parsed.resume : parsed.retry;
    for (const [k, v] of layer) this.map.set(k, v);
  }
  bool(name: string): boolean {
    return this.map.get(name) === true;
  }
  int(name: string): number | undefined {
    const v = this.map.get(name);
    return typeof v === 'number' ? v : undefined;
  }
  str(name: string): string | undefined {
    const v = this.map.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  ints(name: string): number[] | undefined {
    const v = this.map.get(name);
    return Array.isArray(v) ? v : undefined;
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
}
