/**
 * Trust anchors.
 *
 * - The default store is Node's bundled Mozilla roots (`tls.rootCertificates`),
 *   parsed once, lazily, on first use (parsing ~150 roots costs a few ms we do
 *   not want at import time). Roots our strict parser refuses are left out and
 *   counted (`skipped`), never silently trusted half-parsed.
 * - A `ca` option replaces the default entirely (Node semantics).
 * - `loadSystemTrustAnchors()` adds the OS store (/etc/ssl/certs), on request.
 *
 * Lookup is by normalized subject name, so issuer matching uses the same
 * RFC 5280 §7.1 comparison as path validation.
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { Certificate } from './certificate.js';
import { X509Error } from './errors.js';
import { decodePem, looksLikePem } from './pem.js';

const key = (b: Uint8Array): string => Buffer.from(b).toString('base64');

export type CertificateInput = string | Uint8Array | Certificate;

/** Parse PEM (one or more certificates), DER, or pass a Certificate through. */
export function toCertificates(input: CertificateInput | readonly CertificateInput[]): Certificate[] {
  if (Array.isArray(input)) return (input as readonly CertificateInput[]).flatMap((x) => toCertificates(x));
  if (input instanceof Certificate) return [input];
  if (typeof input === 'string' || looksLikePem(input as Uint8Array)) {
    const text = typeof input === 'string' ? input : Buffer.from(input as Uint8Array).toString('latin1');
    const ders = decodePem(text, 'CERTIFICATE');
    if (ders.length === 0) throw new X509Error('X509_BAD_PEM', 'no CERTIFICATE block in PEM input');
    return ders.map((d) => Certificate.fromDer(d));
  }
  return [Certificate.fromDer(input as Uint8Array)];
}

export class TrustStore {
  private readonly bySubject = new Map<string, Certificate[]>();
  private readonly byDer = new Set<string>();
  /** Inputs that failed to parse when added leniently. */
  skipped = 0;

  constructor(certs: readonly Certificate[] = []) {
    for (const c of certs) this.add(c);
  }

  add(cert: Certificate): void {
    const d = key(cert.der);
    if (this.byDer.has(d)) return;
    this.byDer.add(d);
    const k = key(cert.normalizedSubject);
    const l = this.bySubject.get(k);
    if (l) l.push(cert);
    else this.bySubject.set(k, [cert]);
  }

  /** Add every certificate of `input`, skipping (and counting) unparsable ones. */
  addLenient(pems: readonly string[]): void {
    for (const p of pems) {
      try {
        for (const c of toCertificates(p)) this.add(c);
      } catch {
        this.skipped++;
      }
    }
  }

  /** Anchors whose subject matches `normalizedName`. */
  findBySubject(normalizedName: Uint8Array): readonly Certificate[] {
    return this.bySubject.get(key(normalizedName)) ?? [];
  }

  has(cert: Certificate): boolean {
    return this.byDer.has(key(cert.der));
  }

  get size(): number {
    return this.byDer.size;
  }

  *[Symbol.iterator](): IterableIterator<Certificate> {
    for (const l of this.bySubject.values()) yield* l;
  }

  /** A new store holding this store's anchors and `other`'s. */
  merge(other: TrustStore): TrustStore {
    const s = new TrustStore([...this, ...other]);
    s.skipped = this.skipped + other.skipped;
    return s;
  }
}

let defaultStore: TrustStore | undefined;

/** Node's bundled Mozilla root store, parsed on first use. */
export function getDefaultTrustStore(): TrustStore {
  if (!defaultStore) {
    const s = new TrustStore();
    s.addLenient(rootCertificates);
    defaultStore = s;
  }
  return defaultStore;
}

let systemStore: TrustStore | undefined;

/** The OS store: a bundle file if present, else every PEM file in `dir`. Cached for the default directory. */
export function loadSystemTrustAnchors(dir = '/etc/ssl/certs'): TrustStore {
  if (dir === '/etc/ssl/certs' && systemStore) return systemStore;
  const s = new TrustStore();
  const bundle = join(dir, 'ca-certificates.crt');
  try {
    if (existsSync(bundle)) {
      s.addLenient(readFileSync(bundle, 'latin1').split(/(?=-----BEGIN CERTIFICATE-----)/));
    } else if (existsSync(dir)) {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        try {
          if (!statSync(p).isFile()) continue;
          s.addLenient([readFileSync(p, 'latin1')]);
        } catch {
          s.skipped++;
        }
      }
    }
  } catch {
    // An unreadable system store is an empty one.
  }
  if (dir === '/etc/ssl/certs') systemStore = s;
  return s;
}

export type TrustAnchorsInput = TrustStore | CertificateInput | readonly CertificateInput[];

/** Resolve a `ca`-style option: given anchors replace the default; `system` adds the OS store. */
export function resolveTrustAnchors(input: TrustAnchorsInput | undefined, options: { system?: boolean } = {}): TrustStore {
  let s = input === undefined ? getDefaultTrustStore() : input instanceof TrustStore ? input : new TrustStore(toCertificates(input));
  if (options.system) s = s.merge(loadSystemTrustAnchors());
  return s;
}
