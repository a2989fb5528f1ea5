/**
 * X.509 for ts-tls: the public barrel.
 *
 * Layers, bottom up (each file's header says why it is built the way it is):
 *   der.ts            strict DER reader/writer
 *   pem.ts            PEM armour
 *   name.ts           Names: parsing, RFC 5280 §7.1 comparison, normalization
 *   general-names.ts  GeneralName(s)
 *   algorithms.ts     signature AlgorithmIdentifiers, SubjectPublicKeyInfo
 *   certificate.ts    Certificate / TBSCertificate / extensions
 *   name-constraints.ts, validate.ts   RFC 5280 §6 path validation
 *   path-builder.ts, trust-store.ts    building a path to a trust anchor
 *   hostname.ts       RFC 6125 server identity
 *   crl.ts            CertificateRevocationList (RFC 5280 §5 CRLs), decode + encode
 *   revocation.ts     RFC 5280 §6.3 revocation checking (verifyCertificateChain's `crls`)
 *   verify.ts         verifyCertificateChain() + alertForVerifyCode()
 *   aia.ts            fetching missing intermediates via caIssuers (verifyCertificateChain's `fetch`)
 *   peer-certificate.ts  Node's getPeerCertificate() shape
 *   keys.ts, issue.ts    private keys, CSRs, issuance, test PKI
 */
export { DerError, X509Error, type DerErrorCode, type X509ErrorCode } from './errors.js';
export { DerReader, Tag, der, parseSingle, oidToString, oidToBytes, type Tlv, type DerTime, type BitString } from './der.js';
export { decodePem, decodePemBlocks, encodePem, type PemBlock } from './pem.js';
export { OID } from './oids.js';
export { verifyNameMatch, verifyNameInSubtree, normalizeName, nameToString, parseRdnSequence, type AttributeTypeAndValue } from './name.js';
export { parseGeneralNames, ipToString, GeneralNameType, type GeneralNames } from './general-names.js';
export { parseSignatureAlgorithm, parseSubjectPublicKeyInfo, type X509SignatureAlgorithm, type PublicKeyDetails } from './algorithms.js';
export {
  Certificate,
  KeyUsageBit,
  type KeyUsageName,
  type Extension,
  type BasicConstraints,
  type ParseOptions,
  type TbsCertificate,
} from './certificate.js';
export { NameConstraints } from './name-constraints.js';
export { validatePath, type KeyPurpose, type CertificateTrust, type ValidationIssue, type ValidationResult, type ValidationErrorId } from './validate.js';
export { buildAndValidatePath, type BuildResult } from './path-builder.js';
export { TrustStore, getDefaultTrustStore, loadSystemTrustAnchors, resolveTrustAnchors, toCertificates, type CertificateInput, type TrustAnchorsInput } from './trust-store.js';
export {
  CertificateRevocationList,
  CrlReason,
  CRL_PEM_LABEL,
  toCrls,
  parseReasonCode,
  encodeTbsCertList,
  encodeCertificateList,
  encodeExtension,
  encodeReasonCode,
  encodeInvalidityDate,
  type CrlInput,
  type CrlReasonName,
  type RevokedCertificate,
  type RevokedCertificateFields,
  type TbsCertListFields,
} from './crl.js';
export { checkRevocation, type RevocationCode, type RevocationFailure, type RevocationOptions } from './revocation.js';
export { checkHostname, canonicalHostname, parseIpAddress, KNOWN_TWO_LABEL_PUBLIC_SUFFIXES, type HostnameCheck } from './hostname.js';
export {
  verifyCertificateChain,
  verifyCertificateChainSync,
  alertForVerifyCode,
  type VerifyChainOptions,
  type VerifyChainResult,
  type VerifyCode,
  type VerifyPurpose,
  type CertificateAlertName,
} from './verify.js';
export {
  AiaCache,
  AiaSession,
  defaultAiaCache,
  caIssuersUrls,
  parseCaIssuersResponse,
  type AiaFetcher,
  type AiaFetchRequest,
  type AiaFetchEvent,
  type AiaOptions,
} from './aia.js';
export { toPeerCertificate, formatNodeTime } from './peer-certificate.js';
export { parsePrivateKey, publicKeyToPem, type ParsedPrivateKey, type PrivateKeyFormat } from './keys.js';
export {
  generateKeyPair,
  createCertificate,
  createCsr,
  parseCsr,
  signCsr,
  createTestPki,
  createCrl,
  encodeName,
  type KeyPair,
  type KeyPairOptions,
  type CertificateOptions,
  type IssuedCertificate,
  type CsrOptions,
  type Csr,
  type SignCsrOptions,
  type TestPki,
  type TestPkiOptions,
  type CrlOptions,
  type RevokedInput,
  type IssuedCrl,
  type NameInput,
  type SubjectAltNamesInput,
  type NameConstraintsInput,
} from './issue.js';
export * as limits from './limits.js';
