/**
 * The bridge between node:tls-style trust options (ca, rejectUnauthorized,
 * checkServerIdentity) and the engine's PeerVerifier, over src/x509.
 *
 * The engine asks "is this chain good for this purpose and name?"; the
 * answer carries Node's code (authorizationError) and the alert to send when
 * rejectUnauthorized makes the failure fatal. A chain nothing verified is
 * never reported as authorized.
 */
import { readFileSync } from 'node:fs';
import { checkServerIdentity } from 'node:tls';
import type { PeerVerifier, PeerVerificationResult } from '../config.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { X509Error, DerError } from '../x509/errors.js';
import { Certificate } from '../x509/certificate.js';
import { toPeerCertificate } from '../x509/peer-certificate.js';
import { TrustStore, resolveTrustAnchors, toCertificates } from '../x509/trust-store.js';
import { alertForVerifyCode, verifyCertificateChain } from '../x509/verify.js';
import { CertificateRevocationList, toCrls } from '../x509/crl.js';
import type { AiaFetchEvent } from '../x509/aia.js';
import { fetchIntermediate } from './aia-fetch.js';
import { TLSError } from '../errors.js';
import type { PeerCertificate } from './peer-certificate.js';
import type { OneOrMany, PemOrDer } from './options.js';

export interface TrustOptions {
  /** Trust anchors; replace the default (Node's bundled Mozilla roots). */
  ca?: OneOrMany<PemOrDer> | undefined;
  /**
   * Certificate revocation lists (PEM or DER), as node:tls's `crl`: when given, every certificate of
   * the verified path must be covered by a current CRL from its issuer and not be listed in it
   * (OpenSSL's CRL_CHECK | CRL_CHECK_ALL). Parsed once, here: a CRL that does not parse throws.
   */
  crl?: OneOrMany<PemOrDer> | undefined;
  /** Also trust the system store (/etc/ssl/certs). */
  useSystemStore?: boolean | undefined;
  checkServerIdentity?: ((hostname: string, cert: PeerCertificate) => Error | undefined) | undefined;
  provider?: CryptoProvider | undefined;
  /** Fetch missing intermediates through caIssuers (off by default; see ConnectOptions.fetchIntermediates). */
  fetchIntermediates?: boolean | undefined;
  /** Told about every caIssuers fetch (connect() turns these into trace notes). */
  onFetch?: ((event: AiaFetchEvent) => void) | undefined;
}

/** Errors an application's checkServerIdentity returned: node:tls fails the connection with that very Error. */
const checkServerIdentityErrors = new WeakSet<Error>();

/** The Error a socket reports for an engine error: the application's own checkServerIdentity error when it is the cause. */
export function reportedError(err: Error): Error {
  const cause = err.cause;
  return cause instanceof Error && checkServerIdentityErrors.has(cause) ? cause : err;
}

export function makeVerifier(o: TrustOptions): PeerVerifier {
  // Parse the anchors once per `ca` value, not per connect() or handshake; the default store is parsed lazily and shared.
  let store: TrustStore | undefined;
  const anchors = (): TrustStore => (store ??= trustStoreFor(o.ca, o.useSystemStore === true));
  const crls = o.crl === undefined ? undefined : crlsFor(o.crl);
  return async ({ chain, hostname, purpose }): Promise<PeerVerificationResult> => {
    const custom = o.checkServerIdentity;
    const r = await verifyCertificateChain({
      chain: [...chain],
      trustAnchors: anchors(),
      purpose,
      time: Date.now(),
      ...(crls !== undefined ? { crls } : {}),
      ...(hostname !== undefined && !custom && purpose === 'serverAuth' ? { hostname } : {}),
      ...(o.provider ? { provider: o.provider } : {}),
      ...(o.fetchIntermediates === true ? { fetch: { fetcher: fetchIntermediate, ...(o.onFetch ? { onFetch: o.onFetch } : {}) } } : {}),
    });
    if (r.valid && r.path && r.path.length > chain.length && chain[0]) verifiedPaths.set(chain[0], r.path.map((c) => c.der));
    if (!r.valid) {
      // node:tls reports a name mismatch with tls.checkServerIdentity's own error (reason, host, cert).
      const cause = r.code === 'ERR_TLS_CERT_ALTNAME_INVALID' && hostname !== undefined ? hostnameError(hostname, chain, r.message) : undefined;
      if (cause) checkServerIdentityErrors.add(cause);
      return { valid: false, code: r.code ?? 'CERT_REJECTED', message: cause?.message ?? r.message ?? 'certificate rejected', alert: alertForVerifyCode(r.code), ...(cause ? { error: cause } : {}) };
    }
    if (custom && hostname !== undefined && purpose === 'serverAuth') {
      const err = custom(hostname, peerCertificate(chain, false));
      if (err) {
        const code = (err as Error & { code?: string }).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID';
        checkServerIdentityErrors.add(err);
        return { valid: false, code, message: err.message, alert: 'bad_certificate', error: err };
      }
    }
    return { valid: true };
  };
}

/** node:tls's hostname error for a chain our verifier found not to match `host` (reason, host and cert, as node). */
function hostnameError(host: string, chain: readonly Uint8Array[], ours: string | undefined): Error {
  const cert = peerCertificate(chain, false);
  const nodeError = checkServerIdentity(host, cert);
  if (nodeError) return nodeError;
  // Our RFC 6125 check is stricter than node's in places (no CN fallback, no partial wildcards).
  const reason = `Host: ${host}. is not in the cert's altnames: ${cert.subjectaltname ?? '(none)'}`;
  return Object.assign(new Error(ours ?? `Hostname/IP does not match certificate's altnames: ${reason}`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason, host, cert });
}

/**
 * NODE_EXTRA_CA_CERTS: node adds the file's certificates to its default roots (never to a `ca` given
 * explicitly). Read once, when the default store is first needed; a file that cannot be read gets
 * node's warning and is ignored, as in node.
 */
let extraCaStore: TrustStore | null | undefined;
function defaultStoreWithExtras(system: boolean): TrustStore {
  const base = resolveTrustAnchors(undefined, { system });
  if (extraCaStore === undefined) {
    extraCaStore = null;
    const file = process.env['NODE_EXTRA_CA_CERTS'];
    if (file) {
      try {
        extraCaStore = resolveTrustAnchors(toCertificates(readFileSync(file, 'latin1')));
      } catch (e) {
        process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(e as Error).message}`);
      }
    }
  }
  if (!extraCaStore) return base;
  return (mergedDefault[system ? 1 : 0] ??= base.merge(extraCaStore));
}
const mergedDefault: (TrustStore | undefined)[] = [undefined, undefined];

const MAX_CACHED_TEXT_VALUES = 32;

/**
 * A per-option-value cache: applications pass the same PEM string or Buffer to every connect(), and
 * parsing it each time was 6–8% of a client handshake. Strings are cached by value (a few, oldest
 * dropped first), objects by identity.
 */
class OptionCache<T> {
  private readonly byText = new Map<string, T>();
  private readonly byObject = new WeakMap<object, T>();

  get(key: string | object, build: () => T): T {
    if (typeof key === 'string') {
      let v = this.byText.get(key);
      if (v === undefined) {
        v = build();
        if (this.byText.size >= MAX_CACHED_TEXT_VALUES) this.byText.delete(this.byText.keys().next().value!);
        this.byText.set(key, v);
      }
      return v;
    }
    let v = this.byObject.get(key);
    if (v === undefined) {
      v = build();
      this.byObject.set(key, v);
    }
    return v;
  }
}

const trustStores = new OptionCache<TrustStore>();
const parsedCrls = new OptionCache<readonly CertificateRevocationList[]>();

/** The trust store for a `ca` option, cached. */
function trustStoreFor(ca: TrustOptions['ca'], system: boolean): TrustStore {
  if (ca === undefined) return defaultStoreWithExtras(system);
  const build = (): TrustStore => resolveTrustAnchors(toCertificates(ca as PemOrDer[]), { system });
  if (typeof ca === 'string') return trustStores.get((system ? 'sys:' : '') + ca, build);
  return system ? build() : trustStores.get(ca, build);
}

/**
 * The parsed CRLs of a `crl` option, cached like trust stores (a CRL can be large); parsed CRLs also
 * keep their verified signatures. A CRL that does not parse throws.
 */
function crlsFor(crl: OneOrMany<PemOrDer>): readonly CertificateRevocationList[] {
  return parsedCrls.get(crl, () => {
    try {
      return toCrls(crl as readonly (string | Uint8Array)[] | string | Uint8Array);
    } catch (e) {
      throw new TLSError(`crl: ${(e as Error).message}`, 'ERR_TLS_INVALID_OPTION');
    }
  });
}

/**
 * The verified path of a peer chain whose trust anchor was not sent (it came from the trust store),
 * keyed by the leaf's bytes as the engine holds them: node's detailed getPeerCertificate() ends at
 * that anchor.
 */
const verifiedPaths = new WeakMap<Uint8Array, readonly Uint8Array[]>();

/** getPeerCertificate(): Node's object for a DER chain (empty object when it cannot be parsed). */
export function peerCertificate(chain: readonly Uint8Array[], detailed: boolean): PeerCertificate {
  try {
    const path = detailed && chain[0] ? verifiedPaths.get(chain[0]) : undefined;
    const certs = (path ?? chain).map((der) => Certificate.fromDer(der));
    return toPeerCertificate(certs, detailed);
  } catch (e) {
    if (e instanceof X509Error || e instanceof DerError) return {} as PeerCertificate;
    throw e;
  }
}
