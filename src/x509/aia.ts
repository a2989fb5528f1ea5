/**
 * Fetching missing intermediates through the Authority Information Access
 * caIssuers URL (RFC 5280 §4.2.2.1), as browsers do for servers that send
 * only their leaf. Off unless asked for (verifyCertificateChain's `fetch`).
 *
 * The core stays sans-IO: the caller passes the fetch function (the Node
 * one, on node:http, is src/node/aia-fetch.ts). What is decided here:
 * - which URL: the http: caIssuers URLs of the certificate that lacks an
 *   issuer, in order, each at most once per verification (no loops);
 * - how much: at most MAX_AIA_FETCHES fetches per verification, each within
 *   AIA_FETCH_TIMEOUT_MS and all within AIA_TOTAL_TIMEOUT_MS (enforced here
 *   with an AbortSignal and a timer, whatever the fetch function does),
 *   MAX_AIA_RESPONSE_BYTES per response, MAX_CERTIFICATES_PER_AIA_RESPONSE
 *   certificates taken from it;
 * - what is accepted: one DER certificate (RFC 5280 says so), a PKCS#7
 *   "certs-only" SignedData (RFC 5652; also allowed there), or PEM of
 *   either, which some CAs serve;
 * - caching: a cache shared by every verification (and so every connection)
 *   keeps issuers for AIA_CACHE_TTL_MS and failures for
 *   AIA_FAILURE_CACHE_TTL_MS, at most MAX_AIA_CACHE_ENTRIES URLs; concurrent
 *   verifications asking for the same URL share one fetch.
 * Fetched certificates are only candidates: the path is still built and
 * validated to a trust anchor as if the server had sent them.
 */
import { Certificate } from './certificate.js';
import { DerError, X509Error } from './errors.js';
import { DerReader, Tag, contextConstructed, parseSingle } from './der.js';
import { decodePemBlocks, looksLikePem } from './pem.js';
import {
  AIA_CACHE_TTL_MS,
  AIA_FAILURE_CACHE_TTL_MS,
  AIA_FETCH_TIMEOUT_MS,
  AIA_TOTAL_TIMEOUT_MS,
  MAX_AIA_CACHE_ENTRIES,
  MAX_AIA_FETCHES,
  MAX_AIA_RESPONSE_BYTES,
  MAX_CERTIFICATES_PER_AIA_RESPONSE,
} from './limits.js';

const CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const SIGNED_DATA = '1.2.840.113549.1.7.2';
const URI_TAG = 0x86; // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String

/** What a fetch function is asked for. It must resolve with the body of a 200 response, or reject. */
export interface AiaFetchRequest {
  readonly url: string;
  /** Stop reading (and reject) past this many bytes. */
  readonly maxBytes: number;
  /** Give up after this long (the caller aborts `signal` then anyway). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export type AiaFetcher = (request: AiaFetchRequest) => Promise<Uint8Array>;

/** One fetch, as reported to `onFetch` (the trace shows these). */
export interface AiaFetchEvent {
  readonly url: string;
  /** The certificate whose issuer was missing. */
  readonly for: string;
  readonly ok: boolean;
  /** 'cache' when the answer came from the shared cache. */
  readonly source: 'network' | 'cache';
  /** Subjects fetched, or why it failed. */
  readonly detail: string;
}

export interface AiaOptions {
  readonly fetcher: AiaFetcher;
  /** Default: the shared cache ({@link defaultAiaCache}). */
  readonly cache?: AiaCache;
  readonly timeoutMs?: number;
  readonly totalTimeoutMs?: number;
  readonly maxFetches?: number;
  readonly onFetch?: (event: AiaFetchEvent) => void;
}

/** The http: caIssuers URLs of a certificate, in order (https: and others are skipped: no TLS inside path building). */
export function caIssuersUrls(cert: Certificate): string[] {
  const out: string[] = [];
  for (const ad of cert.authorityInfoAccess ?? []) {
    if (ad.method !== CA_ISSUERS || ad.location[0] !== URI_TAG) continue;
    let url: string;
    try {
      url = String.fromCharCode(...parseSingle(ad.location, URI_TAG).value);
    } catch {
      continue;
    }
    if (/^http:\/\/[^\s]+$/i.test(url)) out.push(url);
  }
  return out;
}

/**
 * The certificates in a caIssuers response: DER certificate, PKCS#7
 * certs-only SignedData, or PEM of either. Throws X509Error when it is none.
 */
export function parseCaIssuersResponse(body: Uint8Array): Certificate[] {
  if (body.length > MAX_AIA_RESPONSE_BYTES) throw new X509Error('X509_BAD_ARGUMENT', `response of ${body.length} bytes exceeds ${MAX_AIA_RESPONSE_BYTES}`);
  try {
    if (looksLikePem(body)) {
      const blocks = decodePemBlocks(String.fromCharCode(...body));
      const certs = blocks.flatMap((b) => (b.label === 'CERTIFICATE' ? [Certificate.fromDer(b.der)] : b.label === 'PKCS7' ? certsOnly(b.der) : []));
      if (certs.length === 0) throw new X509Error('X509_BAD_PEM', 'no CERTIFICATE or PKCS7 block');
      return limit(certs);
    }
    const first = new DerReader(body, 'caIssuers response').enter(Tag.SEQUENCE, 'caIssuers response');
    // A ContentInfo starts with its contentType OID; a Certificate with its TBSCertificate SEQUENCE.
    return limit(first.peekTag() === Tag.OID ? certsOnly(body) : [Certificate.fromDer(body)]);
  } catch (e) {
    if (e instanceof X509Error || e instanceof DerError) throw new X509Error('X509_BAD_CERTIFICATE', `not a certificate or PKCS#7 certs-only bundle: ${e.message}`);
    throw e;
  }
}

function limit(certs: Certificate[]): Certificate[] {
  return certs.slice(0, MAX_CERTIFICATES_PER_AIA_RESPONSE);
}

/** RFC 5652 ContentInfo → SignedData → certificates [0] IMPLICIT SET OF CertificateChoices (only plain certificates kept). */
function certsOnly(der: Uint8Array): Certificate[] {
  const ci = new DerReader(parseSingle(der, Tag.SEQUENCE, 'ContentInfo').value, 'ContentInfo');
  const type = ci.readOid();
  if (type !== SIGNED_DATA) throw new X509Error('X509_BAD_CERTIFICATE', `PKCS#7 content type ${type} is not signedData`);
  const sd = new DerReader(ci.read(contextConstructed(0), 'content').value, 'content').enter(Tag.SEQUENCE, 'SignedData');
  ci.end();
  sd.readInteger('version');
  sd.read(Tag.SET, 'digestAlgorithms');
  sd.read(Tag.SEQUENCE, 'encapContentInfo');
  const set = sd.readOptional(contextConstructed(0));
  if (!set) throw new X509Error('X509_BAD_CERTIFICATE', 'PKCS#7 bundle without certificates');
  const r = new DerReader(set.value, 'CertificateSet');
  const out: Certificate[] = [];
  while (r.hasMore() && out.length < MAX_CERTIFICATES_PER_AIA_RESPONSE) {
    const t = r.readAny();
    if (t.tag === Tag.SEQUENCE) out.push(Certificate.fromDer(t.raw));
  }
  if (out.length === 0) throw new X509Error('X509_BAD_CERTIFICATE', 'PKCS#7 bundle without certificates');
  return out;
}

type CacheEntry = { readonly expires: number; readonly value: Promise<Certificate[]> };

/** Fetched issuers by URL, shared by verifications; failures are remembered briefly too. */
export class AiaCache {
  private readonly entries = new Map<string, CacheEntry>();
  constructor(
    private readonly maxEntries = MAX_AIA_CACHE_ENTRIES,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The cached (or in-flight) answer for `url`, or start `load` and remember it. */
  get(url: string, load: () => Promise<Certificate[]>): { value: Promise<Certificate[]>; cached: boolean } {
    const t = this.now();
    const hit = this.entries.get(url);
    if (hit && hit.expires > t) return { value: hit.value, cached: true };
    if (hit) this.entries.delete(url);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const value = load();
    // In flight: shared until it settles; then kept for the success or failure TTL.
    const entry: { expires: number; value: Promise<Certificate[]> } = { expires: Number.POSITIVE_INFINITY, value };
    this.entries.set(url, entry);
    value.then(
      () => (entry.expires = this.now() + AIA_CACHE_TTL_MS),
      () => (entry.expires = this.now() + AIA_FAILURE_CACHE_TTL_MS),
    );
    return { value, cached: false };
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The cache every verification with `fetch` shares unless it brings its own. */
export const defaultAiaCache = new AiaCache();

/** Fetch and parse one URL, bounded in time and size whatever the fetcher does. */
async function fetchOnce(fetcher: AiaFetcher, url: string, timeoutMs: number): Promise<Certificate[]> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new X509Error('X509_FETCH_FAILED', `timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const body = await Promise.race([fetcher({ url, maxBytes: MAX_AIA_RESPONSE_BYTES, timeoutMs, signal: controller.signal }), timeout]);
    if (!(body instanceof Uint8Array)) throw new X509Error('X509_FETCH_FAILED', 'the fetch function returned no bytes');
    return parseCaIssuersResponse(body);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One verification's fetching state: which URLs were tried, how many
 * fetches and how much time remain, and what happened (for the message).
 */
export class AiaSession {
  private readonly tried = new Set<string>();
  private readonly deadline: number;
  private fetches = 0;
  readonly notes: string[] = [];

  constructor(private readonly o: AiaOptions) {
    this.deadline = Date.now() + (o.totalTimeoutMs ?? AIA_TOTAL_TIMEOUT_MS);
  }

  /**
   * Fetch candidates for the issuer of `cert`. Returns the certificates whose
   * subject is `cert`'s issuer name, or undefined (with a note saying why)
   * when there is nothing more to try.
   */
  async issuersOf(cert: Certificate): Promise<Certificate[] | undefined> {
    const urls = caIssuersUrls(cert);
    const who = cert.subjectString || '(empty subject)';
    if (urls.length === 0) {
      this.notes.push(`${who} has no http: caIssuers URL to fetch its issuer from`);
      return undefined;
    }
    for (const url of urls) {
      if (this.tried.has(url)) continue;
      if (this.fetches >= (this.o.maxFetches ?? MAX_AIA_FETCHES)) {
        this.notes.push(`stopped after ${this.fetches} caIssuers fetches`);
        return undefined;
      }
      const left = this.deadline - Date.now();
      if (left <= 0) {
        this.notes.push(`caIssuers fetching ran out of its ${this.o.totalTimeoutMs ?? AIA_TOTAL_TIMEOUT_MS} ms`);
        return undefined;
      }
      this.tried.add(url);
      this.fetches++;
      const timeoutMs = Math.min(this.o.timeoutMs ?? AIA_FETCH_TIMEOUT_MS, left);
      const cache = this.o.cache ?? defaultAiaCache;
      const { value, cached } = cache.get(url, () => fetchOnce(this.o.fetcher, url, timeoutMs));
      const source = cached ? 'cache' : 'network';
      let certs: Certificate[];
      try {
        certs = await value;
      } catch (e) {
        const why = (e as Error)?.message ?? String(e);
        this.notes.push(`fetching the issuer of ${who} from ${url} failed: ${why}`);
        this.o.onFetch?.({ url, for: who, ok: false, source, detail: why });
        continue;
      }
      const issuers = certs.filter((c) => sameBytes(c.normalizedSubject, cert.normalizedIssuer));
      this.o.onFetch?.({ url, for: who, ok: issuers.length > 0, source, detail: certs.map((c) => c.subjectString).join('; ') });
      if (issuers.length === 0) {
        this.notes.push(`${url} served ${certs.map((c) => c.subjectString).join('; ')}, not the issuer of ${who}`);
        continue;
      }
      this.notes.push(`fetched ${issuers.map((c) => c.subjectString).join('; ')} from ${url}${cached ? ' (cached)' : ''}`);
      return issuers;
    }
    if (!this.notes.some((n) => n.includes(who))) this.notes.push(`every caIssuers URL of ${who} was already tried`);
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
