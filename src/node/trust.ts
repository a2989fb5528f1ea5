/**
 * The bridge between node:tls-style trust options (ca, rejectUnauthorized,
 * checkServerIdentity) and the engine's PeerVerifier, over src/x509.
 *
 * The engine asks "is this chain good for this purpose and name?"; the
 * answer carries Node's code (authorizationError) and the alert to send when
 * rejectUnauthorized makes the failure fatal. A chain nothing verified is
 * never reported as authorized.
 */
import type { PeerVerifier, PeerVerificationResult } from '../config.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { X509Error, DerError } from '../x509/errors.js';
import { Certificate } from '../x509/certificate.js';
import { toPeerCertificate } from '../x509/peer-certificate.js';
import { TrustStore, resolveTrustAnchors, toCertificates } from '../x509/trust-store.js';
import { alertForVerifyCode, verifyCertificateChain } from '../x509/verify.js';
import { CertificateRevocationList, toCrls } from '../x509/crl.js';
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
    });
    if (!r.valid) return { valid: false, code: r.code ?? 'CERT_REJECTED', message: r.message ?? 'certificate rejected', alert: alertForVerifyCode(r.code) };
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
  if (ca === undefined) return resolveTrustAnchors(undefined, { system });
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

/** getPeerCertificate(): Node's object for a DER chain (empty object when it cannot be parsed). */
export function peerCertificate(chain: readonly Uint8Array[], detailed: boolean): PeerCertificate {
  try {
    const certs = chain.map((der) => Certificate.fromDer(der));
    return toPeerCertificate(certs, detailed);
  } catch (e) {
    if (e instanceof X509Error || e instanceof DerError) return {} as PeerCertificate;
    throw e;
  }
}
