/**
 * BoringSSL's parse_certificate_unittest data (pki/testdata/parse_certificate_unittest),
 * with the expectations of pki/parse_certificate_unittest.cc and
 * pki/parsed_certificate_unittest.cc (which share this directory):
 * - cert_*.pem: the outer Certificate SEQUENCE (ParseCertificate);
 * - tbs_*.pem: TBSCertificate parsing, every field compared with its PEM block;
 * - the rest: full certificate parsing (ParsedCertificate::Create), accepted
 *   or refused as the C++ test says, with its field checks;
 * - authority_key_identifier/*.pem and the inline DER cases (KeyUsage, AIA,
 *   CRL distribution points, SKI).
 * Every .pem file in the directory must be claimed by exactly one case.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { vectorPath } from '../helpers/paths.js';
import { decodePemBlocks } from '../../src/x509/pem.js';
import {
  Certificate,
  parseAuthorityInfoAccess,
  parseAuthorityKeyIdentifier,
  parseCertificateOuter,
  parseCrlDistributionPoints,
  parseInhibitAnyPolicy,
  parseKeyUsage,
  parseSubjectKeyIdentifier,
  parseTbsCertificate,
  type ParseOptions,
} from '../../src/x509/certificate.js';
import { bitStringHas, type DerTime } from '../../src/x509/der.js';
import { OID } from '../../src/x509/oids.js';
import { attributeValueString } from '../../src/x509/name.js';

const DIR = vectorPath('x509-boringssl', 'parse_certificate_unittest');
const hex = (b: Uint8Array | undefined): string => (b === undefined ? '(absent)' : Buffer.from(b).toString('hex'));

function blocks(file: string): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const b of decodePemBlocks(readFileSync(`${DIR}/${file}`, 'utf8'))) {
    assert.ok(!m.has(b.label), `${file}: duplicate ${b.label}`);
    m.set(b.label, b.der);
  }
  return m;
}

const claimed = new Set<string>();
let passed = 0;
let failed = 0;
function test(title: string, files: string[], f: () => void): void {
  for (const x of files) {
    assert.ok(!claimed.has(x), `${x} claimed twice`);
    claimed.add(x);
  }
  it(title, () => {
    try {
      f();
      passed++;
    } catch (e) {
      failed++;
      throw e;
    }
  });
}

function parseFile(file: string, options: ParseOptions = {}): Certificate {
  return Certificate.fromDer(blocks(file).get('CERTIFICATE')!, options);
}
function refuses(file: string, options: ParseOptions = {}): void {
  assert.throws(
    () => parseFile(file, options),
    (e: unknown) => e instanceof Error && (e.name === 'X509Error' || e.name === 'DerError'),
  );
}
const timeString = (t: DerTime): string => `year=${t.year}, month=${t.month}, day=${t.day}, hours=${t.hours}, minutes=${t.minutes}, seconds=${t.seconds}`;

describe('x509-boringssl parse_certificate_unittest', () => {
  after(() => console.log(`x509-boringssl parse_certificate: ${passed} passed, ${failed} failed, 0 skipped (listed)`));

  // ---- ParseCertificateTest (outer structure)
  for (const f of ['cert_version3.pem', 'cert_skeleton.pem']) {
    test(`ParseCertificate accepts ${f}`, [f], () => {
      const b = blocks(f);
      const r = parseCertificateOuter(b.get('CERTIFICATE')!);
      assert.equal(hex(r.tbs), hex(b.get('TBS CERTIFICATE')));
      assert.equal(hex(r.signatureAlgorithm), hex(b.get('SIGNATURE ALGORITHM')));
      assert.equal(hex(r.signature), hex(b.get('SIGNATURE')));
    });
  }
  for (const f of [
    'cert_not_sequence.pem',
    'cert_data_after_signature.pem',
    'cert_missing_signature.pem',
    'cert_signature_not_bit_string.pem',
    'cert_empty_sequence.pem',
    'cert_algorithm_not_sequence.pem',
  ]) {
    test(`ParseCertificate refuses ${f}`, [f], () => {
      assert.throws(() => parseCertificateOuter(blocks(f).get('CERTIFICATE')!), { name: 'X509Error' });
    });
  }

  // ---- ParseTbsCertificateTest
  const tbsOk: [string, 1 | 2 | 3][] = [
    ['tbs_v3_no_optionals.pem', 3],
    ['tbs_v3_extensions.pem', 3],
    ['tbs_v1.pem', 1],
    ['tbs_v2_no_optionals.pem', 2],
    ['tbs_v2_issuer_unique_id.pem', 2],
    ['tbs_v2_issuer_and_subject_unique_id.pem', 2],
    ['tbs_v3_all_optionals.pem', 3],
    ['tbs_v3_real.pem', 3],
    ['tbs_validity_both_utc_time.pem', 3],
    ['tbs_validity_both_generalized_time.pem', 3],
    ['tbs_validity_utc_time_and_generalized_time.pem', 3],
    ['tbs_validity_generalized_time_and_utc_time.pem', 3],
  ];
  for (const [f, version] of tbsOk) {
    test(`ParseTbsCertificate accepts ${f}`, [f], () => {
      const b = blocks(f);
      const t = parseTbsCertificate(b.get('TBS CERTIFICATE')!);
      assert.equal(t.version, version);
      assert.equal(hex(t.serialNumber), hex(b.get('SERIAL NUMBER')));
      assert.equal(hex(t.signatureAlgorithmRaw), hex(b.get('SIGNATURE ALGORITHM')));
      assert.equal(hex(t.issuerRaw), hex(b.get('ISSUER')));
      assert.equal(timeString(t.notBefore), Buffer.from(b.get('VALIDITY NOTBEFORE')!).toString());
      assert.equal(timeString(t.notAfter), Buffer.from(b.get('VALIDITY NOTAFTER')!).toString());
      assert.equal(hex(t.subjectRaw), hex(b.get('SUBJECT')));
      assert.equal(hex(t.spki), hex(b.get('SPKI')));
      assert.equal(hex(t.issuerUniqueId), hex(b.get('ISSUER UNIQUE ID')));
      assert.equal(hex(t.subjectUniqueId), hex(b.get('SUBJECT UNIQUE ID')));
      assert.equal(hex(t.extensionsRaw), hex(b.get('EXTENSIONS')));
    });
  }
  for (const f of [
    'tbs_explicit_v1.pem',
    'tbs_v1_extensions.pem',
    'tbs_v2_extensions.pem',
    'tbs_v4.pem',
    'tbs_v3_data_after_extensions.pem',
    'tbs_validity_relaxed.pem',
    'tbs_v3_extensions_not_sequence.pem',
  ]) {
    test(`ParseTbsCertificate refuses ${f}`, [f], () => {
      assert.throws(() => parseTbsCertificate(blocks(f).get('TBS CERTIFICATE')!), { name: 'X509Error' });
    });
  }

  // ---- ParsedCertificateTest
  const DAVIDBEN_OID = '1.2.840.113554.4.1.72585.0';
  test('ExtensionCritical', ['extension_critical.pem'], () => {
    const e = parseFile('extension_critical.pem').extensions.get(DAVIDBEN_OID);
    assert.ok(e?.critical);
    assert.equal(hex(e.value), '3000');
  });
  test('ExtensionNotCritical', ['extension_not_critical.pem'], () => {
    const e = parseFile('extension_not_critical.pem').extensions.get(DAVIDBEN_OID);
    assert.ok(e && !e.critical);
    assert.equal(hex(e.value), '3000');
  });
  for (const f of [
    'extension_critical_0.pem',
    'extension_critical_3.pem',
    'extensions_empty_sequence.pem',
    'extensions_not_sequence.pem',
    'extensions_data_after_sequence.pem',
    'extensions_duplicate_key_usage.pem',
    'bad_key_usage.pem',
    'bad_policy_qualifiers.pem',
    'bad_validity.pem',
    'issuer_bad_printable_string.pem',
    'name_constraints_bad_ip.pem',
    'policy_qualifiers_empty_sequence.pem',
    'subject_blank_subjectaltname_not_critical.pem',
    'subject_not_ascii.pem',
    'subject_not_printable_string.pem',
    'subjectaltname_bad_ip.pem',
    'subjectaltname_dns_not_ascii.pem',
    'subjectaltname_general_names_empty_sequence.pem',
    'subjectaltname_trailing_data.pem',
    'v1_explicit_version.pem',
    'basic_constraints_pathlen_256.pem',
    'basic_constraints_negative_path.pem',
    'basic_constraints_path_too_large.pem',
    'basic_constraints_unconsumed_data.pem',
    'policy_constraints_empty.pem',
    'serial_not_number.pem',
    'serial_not_minimal.pem',
    'subject_key_identifier_not_octet_string.pem',
    'authority_key_identifier_not_sequence.pem',
    // Not in the C++ test (Chromium's net/ uses it for client-certificate UI): its subject is an
    // invalid PrintableString ("@#_" and UTF-8), which name normalization refuses, as for
    // issuer_bad_printable_string.pem.
    'subject_printable_string_containing_utf8_client_cert.pem',
  ]) {
    test(`ParsedCertificate refuses ${f}`, [f], () => refuses(f));
  }
  for (const f of ['bad_signature_algorithm_oid.pem', 'failed_signature_algorithm.pem', 'signature_algorithm_null.pem']) {
    test(`${f}: parses, signature algorithm not understood`, [f], () => {
      assert.equal(parseFile(f).signatureAlgorithm, undefined);
    });
  }
  test('ExtendedKeyUsage', ['extended_key_usage.pem'], () => {
    const c = parseFile('extended_key_usage.pem');
    assert.equal(c.extensions.size, 4);
    const e = c.extensions.get(OID.extKeyUsage)!;
    assert.ok(!e.critical);
    assert.equal(e.value.length, 45);
    assert.equal(c.extKeyUsage?.length, 4);
  });
  test('KeyUsage', ['key_usage.pem'], () => {
    const c = parseFile('key_usage.pem');
    assert.equal(c.keyUsage?.unusedBits, 5);
    assert.equal(hex(c.keyUsage?.bytes), 'a0');
    assert.ok(bitStringHas(c.keyUsage!, 0) && !bitStringHas(c.keyUsage!, 1) && bitStringHas(c.keyUsage!, 2));
  });
  test('Policies', ['policies.pem'], () => {
    const c = parseFile('policies.pem');
    assert.equal(c.extensions.size, 4);
    const e = c.extensions.get(OID.certificatePolicies)!;
    assert.ok(!e.critical);
    assert.equal(e.value.length, 95);
    assert.equal(c.policies?.length, 2);
  });
  test('SubjectAltName', ['subject_alt_name.pem'], () => assert.ok(parseFile('subject_alt_name.pem').subjectAltNames));
  test('ExtensionsReal', ['extensions_real.pem'], () => {
    const c = parseFile('extensions_real.pem');
    assert.equal(c.extensions.size, 7);
    assert.ok(c.keyUsage && c.basicConstraints && c.authorityInfoAccess && c.policies);
    assert.equal(hex(c.authorityKeyIdentifier?.keyIdentifier), 'c07a98688d89fbab05640c117daa7d65b8cacc4e');
    assert.equal(c.authorityKeyIdentifier?.authorityCertIssuer, undefined);
    assert.equal(c.authorityKeyIdentifier?.authorityCertSerialNumber, undefined);
    assert.equal(hex(c.subjectKeyIdentifier), '4add06161bbcf668b576f581b6bb621aba5a812f');
    const e = c.extensions.get(OID.certificatePolicies)!;
    assert.ok(!e.critical);
    assert.equal(e.value.length, 16);
  });
  const bc: [string, boolean, number | undefined][] = [
    ['basic_constraints_not_ca.pem', false, undefined],
    ['basic_constraints_ca_no_path.pem', true, undefined],
    ['basic_constraints_ca_path_9.pem', true, 9],
    ['basic_constraints_pathlen_255.pem', true, 255],
    ['basic_constraints_ca_false.pem', false, undefined],
    ['basic_constraints_pathlen_not_ca.pem', false, 1],
  ];
  for (const [f, isCA, pathLen] of bc) {
    test(`BasicConstraints ${f}`, [f], () => assert.deepEqual(parseFile(f).basicConstraints, pathLen === undefined ? { isCA } : { isCA, pathLen }));
  }
  const pc: [string, { requireExplicitPolicy?: number; inhibitPolicyMapping?: number }][] = [
    ['policy_constraints_require.pem', { requireExplicitPolicy: 3 }],
    ['policy_constraints_inhibit.pem', { inhibitPolicyMapping: 1 }],
    ['policy_constraints_inhibit_require.pem', { requireExplicitPolicy: 5, inhibitPolicyMapping: 2 }],
  ];
  for (const [f, want] of pc) test(`PolicyConstraints ${f}`, [f], () => assert.deepEqual(parseFile(f).policyConstraints, want));
  test('SerialNumberZeroPadded', ['serial_zero_padded.pem'], () => assert.equal(hex(parseFile('serial_zero_padded.pem').serialNumber), '008001'));
  test('SerialNumberZeroPadded21BytesLong', ['serial_zero_padded_21_bytes.pem'], () => {
    refuses('serial_zero_padded_21_bytes.pem');
    assert.equal(hex(parseFile('serial_zero_padded_21_bytes.pem', { allowInvalidSerialNumbers: true }).serialNumber), '00800102030405060708090a0b0c0d0e0f10111213');
  });
  test('SerialNumberNegative', ['serial_negative.pem'], () => {
    const c = parseFile('serial_negative.pem');
    assert.equal(hex(c.serialNumber), '8001');
    assert.ok(c.warnings.includes('Serial number is negative'));
  });
  test('SerialNumber37BytesLong', ['serial_37_bytes.pem'], () => {
    refuses('serial_37_bytes.pem');
    assert.equal(hex(parseFile('serial_37_bytes.pem', { allowInvalidSerialNumbers: true }).serialNumber), Buffer.from(Array.from({ length: 37 }, (_, i) => i + 1)).toString('hex'));
  });
  test('SerialNumberZero', ['serial_zero.pem'], () => {
    const c = parseFile('serial_zero.pem');
    assert.equal(hex(c.serialNumber), '00');
    assert.ok(c.warnings.includes('Serial number is zero'));
  });
  test('InhibitAnyPolicy', ['inhibit_any_policy.pem'], () => {
    const c = parseFile('inhibit_any_policy.pem');
    assert.equal(parseInhibitAnyPolicy(c.extensions.get(OID.inhibitAnyPolicy)!.value), 3);
  });
  // TeletexString subjects (used by Chromium's X509Certificate tests): parsed, decoded as Latin-1.
  for (const f of ['subject_t61string.pem', 'subject_t61string_1-32.pem', 'subject_t61string_126-160.pem', 'subject_t61string_actual.pem']) {
    test(`TeletexString subject ${f}`, [f], () => {
      const atvs = parseFile(f).subjectRdns().flat().filter((a) => a.valueTag === 0x14);
      assert.ok(atvs.length > 0, 'has a TeletexString attribute');
      for (const a of atvs) assert.equal(attributeValueString(a), String.fromCharCode(...a.value));
    });
  }

  // ---- CRL distribution points
  test('ParseCrlDistributionPoints OneUriNoIssuer', ['crldp_1uri_noissuer.pem'], () => {
    const dps = parseCrlDistributionPoints(parseFile('crldp_1uri_noissuer.pem').extensions.get(OID.crlDistributionPoints)!.value);
    assert.equal(dps.length, 1);
    assert.deepEqual(dps[0]!.fullName?.uris, ['http://www.example.com/foo.crl']);
    assert.equal(dps[0]!.fullName?.presentTypes, 1 << 6);
    assert.ok(!dps[0]!.nameRelativeToCrlIssuer && !dps[0]!.reasons && !dps[0]!.crlIssuer);
  });
  test('ParseCrlDistributionPoints ThreeUrisNoIssuer', ['crldp_3uri_noissuer.pem'], () => {
    const dps = parseCrlDistributionPoints(parseFile('crldp_3uri_noissuer.pem').extensions.get(OID.crlDistributionPoints)!.value);
    assert.equal(dps.length, 1);
    assert.deepEqual(dps[0]!.fullName?.uris, ['http://www.example.com/foo1.crl', 'http://www.example.com/blah.crl', 'not-even-a-url']);
  });
  test('ParseCrlDistributionPoints CrlIssuerAsDirname', ['crldp_issuer_as_dirname.pem'], () => {
    const dps = parseCrlDistributionPoints(parseFile('crldp_issuer_as_dirname.pem').extensions.get(OID.crlDistributionPoints)!.value);
    assert.equal(dps.length, 1);
    assert.equal(dps[0]!.fullName?.presentTypes, 1 << 4);
    assert.equal(dps[0]!.fullName?.directoryNames.length, 1);
    assert.equal(hex(dps[0]!.crlIssuer).slice(0, 4), 'a454');
  });
  test('ParseCrlDistributionPoints FullnameAsDirname', ['crldp_full_name_as_dirname.pem'], () => {
    const dps = parseCrlDistributionPoints(parseFile('crldp_full_name_as_dirname.pem').extensions.get(OID.crlDistributionPoints)!.value);
    assert.equal(dps.length, 1);
    assert.equal(dps[0]!.fullName?.directoryNames.length, 1);
    assert.equal(dps[0]!.crlIssuer, undefined);
  });
  const inline = (title: string, f: () => void): void => test(title, [], f);
  inline('ParseCrlDistributionPoints RelativeNameAndReasonsAndMultipleDPs', () => {
    const dps = parseCrlDistributionPoints(
      Buffer.from('30373017a011a10f310d300b0603550403130443524c3181020560301ca015a013a411300f310d300b0603550403130443524c328103079f80', 'hex'),
    );
    assert.equal(dps.length, 2);
    assert.equal(hex(dps[0]!.nameRelativeToCrlIssuer), '310d300b0603550403130443524c31');
    assert.equal(hex(dps[0]!.reasons), '0560');
    assert.equal(hex(dps[1]!.fullName?.directoryNames[0]), '310d300b0603550403130443524c32');
    assert.equal(hex(dps[1]!.reasons), '079f80');
  });
  inline('ParseCrlDistributionPoints NoDistributionPointName', () => {
    const dps = parseCrlDistributionPoints(Buffer.from('301d301ba219a417301531133011060355040b130a63726c20697373756572', 'hex'));
    assert.equal(hex(dps[0]!.crlIssuer), 'a417301531133011060355040b130a63726c20697373756572');
  });
  for (const [t, h] of [
    ['OnlyReasons', '3006300481020560'],
    ['EmptyDistributionPoint', '30023000'],
    ['EmptyDistributionPoints', '3000'],
  ] as const) {
    inline(`ParseCrlDistributionPoints ${t}`, () => assert.throws(() => parseCrlDistributionPoints(Buffer.from(h, 'hex')), { name: 'X509Error' }));
  }

  // ---- KeyUsage, AIA, SKI (inline DER)
  inline('ParseKeyUsage OneBitAllZeros', () => assert.throws(() => parseKeyUsage(Buffer.from('03020700', 'hex'))));
  inline('ParseKeyUsage 32BitsAllZeros', () => assert.throws(() => parseKeyUsage(Buffer.from('03050000000000', 'hex'))));
  inline('ParseKeyUsage 32BitsOneSet', () => {
    const k = parseKeyUsage(Buffer.from('03050000000002', 'hex'));
    for (let i = 0; i <= 8; i++) assert.ok(!bitStringHas(k, i));
  });
  inline('ParseKeyUsage ThreeBits', () => {
    const k = parseKeyUsage(Buffer.from('030205a0', 'hex'));
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => bitStringHas(k, i)), [true, false, true, false, false, false, false, false, false]);
  });
  inline('ParseKeyUsage DecipherOnly', () => {
    const k = parseKeyUsage(Buffer.from('0303070080', 'hex'));
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => bitStringHas(k, i)), [false, false, false, false, false, false, false, false, true]);
  });
  inline('ParseKeyUsage Empty', () => assert.throws(() => parseKeyUsage(Buffer.from('030100', 'hex'))));
  inline('ParseAuthorityInfoAccess BasicTests', () => {
    const der =
      '3081c3301d06082b06010505073001a411300f310d300b06035504031304' +
      '6f637370302206082b06010505073002a4163014311230100603550403130963612069737375657230' +
      '2a06082b06010505073003861e687474703a2f2f6e6f6e7374616e646172642e6578616d706c652e636f6d' +
      '302306082b060105050730018617687474703a2f2f6f6373702e6578616d706c652e636f6d' +
      '302d06082b060105050730028621687474703a2f2f7777772e6578616d706c652e636f6d2f6973737565722e637274';
    const a = parseAuthorityInfoAccess(Buffer.from(der, 'hex'));
    assert.deepEqual(
      a.map((x) => x.method),
      ['1.3.6.1.5.5.7.48.1', '1.3.6.1.5.5.7.48.2', '1.3.6.1.5.5.7.48.3', '1.3.6.1.5.5.7.48.1', '1.3.6.1.5.5.7.48.2'],
    );
    assert.equal(Buffer.from(a[4]!.location.subarray(2)).toString(), 'http://www.example.com/issuer.crt');
  });
  inline('ParseAuthorityInfoAccess NoOcspOrCaIssuersURIs', () => {
    const a = parseAuthorityInfoAccess(Buffer.from('30183016060' + '22a03a410300e310c300a06035504031303666f6f', 'hex'));
    assert.equal(a.length, 1);
    assert.equal(a[0]!.method, '1.2.3');
  });
  inline('ParseAuthorityInfoAccess IncompleteAccessDescription', () =>
    assert.throws(() =>
      parseAuthorityInfoAccess(Buffer.from('3031302306082b060105050730018617687474703a2f2f6f6373702e6578616d706c652e636f6d300a06082b06010505073002', 'hex')),
    ),
  );
  inline('ParseAuthorityInfoAccess ExtraDataInAccessDescription', () =>
    assert.throws(() => parseAuthorityInfoAccess(Buffer.from('302c302a06082b060105050730018617687474703a2f2f6f6373702e6578616d706c652e636f6d130568656e6c6f', 'hex'))),
  );
  inline('ParseAuthorityInfoAccess EmptySequence', () => assert.throws(() => parseAuthorityInfoAccess(Buffer.from('3000', 'hex'))));
  inline('ParseSubjectKeyIdentifier EmptyInput', () => assert.throws(() => parseSubjectKeyIdentifier(new Uint8Array(0))));
  inline('ParseSubjectKeyIdentifier Valid', () => assert.equal(hex(parseSubjectKeyIdentifier(Buffer.from('0402abcd', 'hex'))), 'abcd'));
  inline('ParseSubjectKeyIdentifier ExtraData', () => assert.throws(() => parseSubjectKeyIdentifier(Buffer.from('0402abcd05', 'hex'))));
  inline('ParseAuthorityKeyIdentifier EmptyInput', () => assert.throws(() => parseAuthorityKeyIdentifier(new Uint8Array(0))));

  // ---- authority_key_identifier/
  const aki = (f: string) => parseAuthorityKeyIdentifier(blocks(`authority_key_identifier/${f}`).get('AUTHORITY_KEY_IDENTIFIER')!);
  const akiCase = (f: string, check: () => void): void => test(`ParseAuthorityKeyIdentifier ${f}`, [`authority_key_identifier/${f}`], check);
  akiCase('empty_sequence.pem', () => assert.deepEqual(aki('empty_sequence.pem'), {}));
  akiCase('key_identifier.pem', () => assert.equal(hex(aki('key_identifier.pem').keyIdentifier), 'deadb00f'));
  akiCase('issuer_and_serial.pem', () => {
    const a = aki('issuer_and_serial.pem');
    assert.equal(a.keyIdentifier, undefined);
    assert.equal(hex(a.authorityCertIssuer).slice(4), 'a411300f310d300b06035504030c04526f6f74');
    assert.equal(hex(a.authorityCertSerialNumber), '274f');
  });
  akiCase('key_identifier_and_issuer_and_serial.pem', () => {
    const a = aki('key_identifier_and_issuer_and_serial.pem');
    assert.equal(hex(a.keyIdentifier), 'deadb00f');
    assert.equal(hex(a.authorityCertIssuer).slice(4), 'a411300f310d300b06035504030c04526f6f74');
    assert.equal(hex(a.authorityCertSerialNumber), '274f');
  });
  // Not in the C++ test: an issuer given as a URI GeneralName with a serial is well-formed.
  akiCase('url_issuer_and_serial.pem', () => {
    const a = aki('url_issuer_and_serial.pem');
    assert.ok(a.authorityCertIssuer && a.authorityCertSerialNumber);
  });
  for (const f of [
    'issuer_only.pem',
    'serial_only.pem',
    'invalid_contents.pem',
    'invalid_key_identifier.pem',
    'invalid_issuer.pem',
    'invalid_serial.pem',
    'extra_contents_after_issuer_and_serial.pem',
    'extra_contents_after_extension_sequence.pem',
  ]) {
    akiCase(f, () => assert.throws(() => aki(f), { name: 'X509Error' }));
  }

  it('claims every .pem file of the directory', () => {
    const all = [
      ...readdirSync(DIR).filter((f) => f.endsWith('.pem')),
      ...readdirSync(`${DIR}/authority_key_identifier`).map((f) => `authority_key_identifier/${f}`),
    ];
    assert.deepEqual(all.filter((f) => !claimed.has(f)), []);
  });
});
