/**
 * Private key containers (PEM): PKCS#8 (RFC 5208/5958), PKCS#1 RSAPrivateKey
 * (RFC 8017 A.1.2), SEC1 ECPrivateKey (RFC 5915).
 *
 * We parse the container ourselves, strictly, so a malformed key yields an
 * X509Error naming the problem; the key material itself is handed to the
 * crypto provider (which owns all private-key operations) to obtain the
 * matching SubjectPublicKeyInfo and a signing handle.
 */
import { defaultProvider } from '../crypto/node.js';
import type { CryptoProvider, PrivateKey } from '../crypto/provider.js';
import { DerReader, Tag, contextConstructed, integerToSafeNumber, parseSingle } from './der.js';
import { X509Error } from './errors.js';
import { OID } from './oids.js';
import { decodePemBlocks, encodePem } from './pem.js';
import { parseAlgorithmIdentifier, parseSubjectPublicKeyInfo, type PublicKeyDetails } from './algorithms.js';

export type PrivateKeyFormat = 'pkcs8' | 'pkcs1' | 'sec1';

export interface ParsedPrivateKey {
  readonly format: PrivateKeyFormat;
  readonly type: 'rsa' | 'ec' | 'ed25519';
  /** P-256 / P-384 / P-521 for EC keys. */
  readonly curve?: string;
  /** The matching public key. */
  readonly spki: Uint8Array;
  readonly publicKey: PublicKeyDetails;
  /** A provider handle for signing. */
  readonly handle: PrivateKey;
}

const CURVE_NAMES: Record<string, string> = { [OID.prime256v1]: 'P-256', [OID.secp384r1]: 'P-384', [OID.secp521r1]: 'P-521' };

function checkRsaPrivateKey(der: Uint8Array): void {
  const r = new DerReader(parseSingle(der, Tag.SEQUENCE, 'RSAPrivateKey').value, 'RSAPrivateKey');
  const version = integerToSafeNumber(r.readInteger('version'));
  if (version !== 0) throw new X509Error('X509_BAD_PRIVATE_KEY', `RSAPrivateKey version ${version} (multi-prime keys are not supported)`);
  for (const f of ['modulus', 'publicExponent', 'privateExponent', 'prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient']) r.readInteger(f);
  r.end();
}

function checkEcPrivateKey(der: Uint8Array): string | undefined {
  const r = new DerReader(parseSingle(der, Tag.SEQUENCE, 'ECPrivateKey').value, 'ECPrivateKey');
  if (integerToSafeNumber(r.readInteger('version')) !== 1) throw new X509Error('X509_BAD_PRIVATE_KEY', 'ECPrivateKey version must be 1');
  r.readOctetString();
  const params = r.readOptional(contextConstructed(0));
  const pub = r.readOptional(contextConstructed(1));
  r.end();
  if (pub) new DerReader(pub.value).readBitString();
  return params ? CURVE_NAMES[new DerReader(params.value).readOid()] ?? 'unsupported' : undefined;
}

function parsePkcs8(der: Uint8Array): { type: 'rsa' | 'ec' | 'ed25519'; curve?: string } {
  const r = new DerReader(parseSingle(der, Tag.SEQUENCE, 'PrivateKeyInfo').value, 'PrivateKeyInfo');
  const version = integerToSafeNumber(r.readInteger('version'));
  if (version > 1) throw new X509Error('X509_BAD_PRIVATE_KEY', `PrivateKeyInfo version ${version}`);
  const alg = parseAlgorithmIdentifier(r.read(Tag.SEQUENCE, 'privateKeyAlgorithm').raw);
  const key = r.readOctetString();
  r.readOptional(contextConstructed(0));
  r.readOptional(0x81);
  r.end();
  switch (alg.oid) {
    case OID.rsaEncryption:
      checkRsaPrivateKey(key);
      return { type: 'rsa' };
    case OID.ecPublicKey: {
      const curve = alg.params ? CURVE_NAMES[new DerReader(alg.params).readOid()] : undefined;
      if (!curve) throw new X509Error('X509_UNSUPPORTED', 'EC private key on an unsupported curve');
      checkEcPrivateKey(key);
      return { type: 'ec', curve };
    }
    case OID.ed25519: {
      const seed = parseSingle(key, Tag.OCTET_STRING, 'CurvePrivateKey').value;
      if (seed.length !== 32) throw new X509Error('X509_BAD_PRIVATE_KEY', 'Ed25519 private key must be 32 octets');
      return { type: 'ed25519' };
    }
    default:
      throw new X509Error('X509_UNSUPPORTED', `unsupported private key algorithm ${alg.oid}`);
  }
}

/**
 * Parse a private key PEM ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")
 * or PKCS#8 DER. Encrypted keys need `passphrase` and are opened by the provider.
 */
export function parsePrivateKey(input: string | Uint8Array, options: { passphrase?: string; provider?: CryptoProvider } = {}): ParsedPrivateKey {
  const provider = options.provider ?? defaultProvider;
  try {
    let format: PrivateKeyFormat;
    let info: { type: 'rsa' | 'ec' | 'ed25519'; curve?: string };
    let der: Uint8Array;
    let handle: PrivateKey;
    if (typeof input === 'string') {
      const blocks = decodePemBlocks(input).filter((b) => /PRIVATE KEY$/.test(b.label));
      if (blocks.length === 0) throw new X509Error('X509_BAD_PRIVATE_KEY', 'no PRIVATE KEY block in PEM input');
      const b = blocks[0]!;
      der = b.der;
      if (b.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(input)) {
        if (options.passphrase === undefined) throw new X509Error('X509_BAD_PRIVATE_KEY', 'the private key is encrypted and no passphrase was given');
        handle = provider.loadPrivateKey(input, options.passphrase);
        const pub = parseSubjectPublicKeyInfo(handle.spki);
        if (pub.type === 'unsupported') throw new X509Error('X509_UNSUPPORTED', `unsupported key ${pub.algorithm}`);
        return { format: 'pkcs8', type: pub.type, ...(pub.type === 'ec' ? { curve: pub.curve } : {}), spki: handle.spki, publicKey: pub, handle };
      }
      if (b.label === 'PRIVATE KEY') {
        format = 'pkcs8';
        info = parsePkcs8(der);
      } else if (b.label === 'RSA PRIVATE KEY') {
        format = 'pkcs1';
        checkRsaPrivateKey(der);
        info = { type: 'rsa' };
      } else if (b.label === 'EC PRIVATE KEY') {
        format = 'sec1';
        const curve = checkEcPrivateKey(der);
        if (!curve || curve === 'unsupported') throw new X509Error('X509_UNSUPPORTED', 'EC private key without a supported named curve');
        info = { type: 'ec', curve };
      } else {
        throw new X509Error('X509_UNSUPPORTED', `unsupported PEM label "${b.label}"`);
      }
      handle = provider.loadPrivateKey(input);
    } else {
      format = 'pkcs8';
      der = input;
      info = parsePkcs8(der);
      handle = provider.loadPrivateKey(der);
    }
    const publicKey = parseSubjectPublicKeyInfo(handle.spki);
    return { format, ...info, spki: handle.spki, publicKey, handle };
  } catch (e) {
    if (e instanceof X509Error) throw e;
    throw new X509Error('X509_BAD_PRIVATE_KEY', `invalid private key: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}

export function publicKeyToPem(spki: Uint8Array): string {
  return encodePem('PUBLIC KEY', spki);
}
