/**
 * BoringSSL's name_constraints_unittest, case by case, over its data
 * (pki/testdata/name_constraints_unittest). The expectations below restate
 * pki/name_constraints_unittest.cc: each test parses a NameConstraints block
 * (both as critical and as non-critical) and checks names against it.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { vectorPath } from '../helpers/paths.js';
import { decodePemBlocks } from '../../src/x509/pem.js';
import { NameConstraints } from '../../src/x509/name-constraints.js';
import { GeneralNameType as T, parseGeneralNames } from '../../src/x509/general-names.js';
import { parseSingle, Tag } from '../../src/x509/der.js';

const dir = (f: string): string => vectorPath('x509-boringssl', 'name_constraints_unittest', f);

function block(file: string, label: string): Uint8Array {
  const b = decodePemBlocks(readFileSync(dir(file), 'utf8')).filter((x) => x.label === label);
  assert.equal(b.length, 1, `${file}: expected one ${label} block`);
  return b[0]!.der;
}
const constraintsDer = (f: string): Uint8Array => block(f, 'NAME CONSTRAINTS');
/** SequenceValueFromString: the RDNSequence contents of a NAME block. */
const nameValue = (f: string): Uint8Array => parseSingle(block(f, 'NAME'), Tag.SEQUENCE).value;
const san = (f: string) => parseGeneralNames(block(f, 'SUBJECT ALTERNATIVE NAME'));

type Expect = boolean | '!critical';
type Check =
  | { dns: string; ok: boolean }
  | { dir: string; ok: boolean }
  | { ip: number[]; ok: boolean }
  | { subject?: string; san?: string; ok: Expect }
  | { types: number | 'critical-only'; type?: number };

interface Case {
  test: string;
  file: string;
  checks?: Check[];
  /** NameConstraints::Create must fail. */
  invalid?: boolean;
}

const ip = (...b: number[]): number[] => b;
const v6 = (...b: number[]): number[] => b;
const SAN_SET = (dns: boolean, dirn: boolean, ipx: boolean): Check[] => [
  { san: 'san-permitted.pem', ok: true },
  { san: 'san-excluded-dnsname.pem', ok: dns },
  { san: 'san-excluded-directoryname.pem', ok: dirn },
  { san: 'san-excluded-ipaddress.pem', ok: ipx },
];
const rfc822 = (results: Record<string, boolean>): Check[] => Object.entries(results).map(([f, ok]) => ({ san: `san-rfc822name${f}.pem`, ok }));
const unsupported = (test: string, file: string, sanFile: string, type: number): Case => ({
  test,
  file,
  checks: [{ types: 'critical-only', type }, { san: sanFile, ok: '!critical' }],
});

const CASES: Case[] = [
  {
    test: 'DNSNames',
    file: 'dnsname.pem',
    checks: [
      ...(
        [
          ['permitted.example.com', true],
          ['permitted.example.com.', true],
          ['a.permitted.example.com', true],
          ['apermitted.example.com', false],
          ['apermitted.example.com.', false],
          ['alsopermitted.example.com', true],
          ['excluded.permitted.example.com', false],
          ['a.excluded.permitted.example.com', false],
          ['stillnotpermitted.excluded.permitted.example.com', false],
          ['a.stillnotpermitted.excluded.permitted.example.com', false],
          ['extraneousexclusion.example.com', false],
          ['a.extraneousexclusion.example.com', false],
          ['other.example.com', false],
          ['other.com', false],
          ['*.permitted.example.com', false],
          ['*.excluded.permitted.example.com', false],
          ['*.foo.permitted.example.com', true],
          ['*.alsopermitted.example.com', true],
          ['*.example2.com', false],
          ['*xcluded.permitted.example.com', true],
          ['exclude*.permitted.example.com', true],
          ['excl*ded.permitted.example.com', true],
          ['*.', false],
          ['*.*', false],
          ['.*', false],
          ['*', false],
          ['permitted.example3.com', true],
          ['permitted.example3.com.', true],
          ['a.permitted.example3.com', true],
          ['a.permitted.example3.com.', true],
        ] as const
      ).map(([dns, ok]) => ({ dns, ok })),
      { types: T.dNSName },
      ...SAN_SET(false, true, true),
    ],
  },
  {
    test: 'DNSNamesWithMultipleLevelsBetweenExcludedAndPermitted',
    file: 'dnsname2.pem',
    checks: (
      [
        ['com', true],
        ['bar.com', true],
        ['baz.bar.com', true],
        ['foo.bar.com', false],
        ['baz.foo.bar.com', false],
        ['*.baz.bar.com', true],
        ['*.com', true],
        ['*.bar.com', false],
        ['*.foo.bar.com', false],
      ] as const
    ).map(([dns, ok]) => ({ dns, ok })),
  },
  {
    test: 'DNSNamesPermittedWithLeadingDot',
    file: 'dnsname-permitted_with_leading_dot.pem',
    checks: (
      [
        ['com', false],
        ['bar.com', false],
        ['foobar.com', false],
        ['foo.bar.com', true],
        ['*.bar.com', true],
      ] as const
    ).map(([dns, ok]) => ({ dns, ok })),
  },
  {
    test: 'DNSNamesExcludedWithLeadingDot',
    file: 'dnsname-excluded_with_leading_dot.pem',
    checks: (
      [
        ['com', true],
        ['bar.com', true],
        ['foobar.com', true],
        ['foo.bar.com', false],
        ['*.bar.com', false],
      ] as const
    ).map(([dns, ok]) => ({ dns, ok })),
  },
  {
    test: 'DNSNamesPermittedTwoDot',
    file: 'dnsname-permitted_two_dot.pem',
    checks: ['com', 'com.', 'foo.com', '*.com'].map((dns) => ({ dns, ok: false })),
  },
  {
    test: 'DNSNamesExcludeOnly',
    file: 'dnsname-excluded.pem',
    checks: (
      [
        ['', true],
        ['foo.com', true],
        ['permitted.example.com', true],
        ['excluded.permitted.example.com', false],
        ['a.excluded.permitted.example.com', false],
      ] as const
    ).map(([dns, ok]) => ({ dns, ok })),
  },
  {
    test: 'DNSNamesExcludeAll',
    file: 'dnsname-excludeall.pem',
    checks: ['', 'foo.com', 'permitted.example.com', 'foo.permitted.example.com'].map((dns) => ({ dns, ok: false })),
  },
  {
    test: 'DNSNamesExcludeDot',
    file: 'dnsname-exclude_dot.pem',
    checks: [
      { dns: 'foo.com', ok: false },
      { dns: 'permitted.example.com', ok: true },
      { dns: 'foo.permitted.example.com', ok: true },
    ],
  },
  {
    test: 'DirectoryNames',
    file: 'directoryname.pem',
    checks: [
      { dir: 'name-ca.pem', ok: false },
      { dir: 'name-us.pem', ok: true },
      { dir: 'name-us-arizona.pem', ok: true },
      { dir: 'name-us-california.pem', ok: false },
      { dir: 'name-us-california-mountain_view.pem', ok: false },
      { dir: 'name-de.pem', ok: false },
      { dir: 'name-jp.pem', ok: false },
      { dir: 'name-jp-tokyo.pem', ok: true },
      { types: T.directoryName },
      { subject: 'name-us.pem', ok: true },
      { subject: 'name-us-california.pem', ok: false },
      ...SAN_SET(true, false, true),
    ],
  },
  {
    test: 'DirectoryNamesExcludeOnly',
    file: 'directoryname-excluded.pem',
    checks: [
      { dir: 'name-empty.pem', ok: true },
      { dir: 'name-us.pem', ok: true },
      { dir: 'name-us-california.pem', ok: false },
      { dir: 'name-us-california-mountain_view.pem', ok: false },
    ],
  },
  {
    test: 'DirectoryNamesExcludeAll',
    file: 'directoryname-excludeall.pem',
    checks: ['name-empty.pem', 'name-us.pem', 'name-us-california.pem', 'name-jp.pem'].map((d) => ({ dir: d, ok: false })),
  },
  {
    test: 'IPAddresses',
    file: 'ipaddress.pem',
    checks: [
      { ip: ip(192, 169, 0, 1), ok: false },
      { ip: ip(192, 168, 0, 1), ok: true },
      { ip: ip(192, 168, 5, 1), ok: false },
      { ip: ip(192, 168, 5, 33), ok: false },
      { ip: ip(192, 167, 5, 31), ok: false },
      { ip: ip(192, 167, 5, 32), ok: true },
      { ip: ip(192, 167, 5, 63), ok: true },
      { ip: ip(192, 167, 5, 64), ok: false },
      { ip: ip(192, 166, 5, 32), ok: false },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 0, 0, 0, 1), ok: false },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 1), ok: true },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 5, 0, 0, 1), ok: false },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 5, 33, 0, 1), ok: false },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 5, 31, 255, 255), ok: false },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 5, 32, 0, 0), ok: true },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 5, 63, 255, 255), ok: true },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 5, 64, 0, 0), ok: false },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 10, 5, 33, 0, 1), ok: false },
      { types: T.iPAddress },
      ...SAN_SET(true, true, false),
    ],
  },
  {
    test: 'IPAddressesExcludeOnly',
    file: 'ipaddress-excluded.pem',
    checks: [
      { ip: ip(192, 168, 0, 1), ok: true },
      { ip: ip(192, 168, 5, 1), ok: false },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 0, 0, 0, 1), ok: true },
    ],
  },
  {
    test: 'IPAddressesExcludeAll',
    file: 'ipaddress-excludeall.pem',
    checks: [
      { ip: ip(192, 168, 0, 1), ok: false },
      { ip: ip(1, 1, 1, 1), ok: false },
      { ip: v6(2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), ok: false },
      { ip: v6(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 0, 0, 0, 1), ok: false },
    ],
  },
  {
    test: 'IPAddressesNetmaskPermitSingleHost',
    file: 'ipaddress-permit_singlehost.pem',
    checks: [
      { ip: ip(0, 0, 0, 0), ok: false },
      { ip: ip(192, 168, 1, 1), ok: false },
      { ip: ip(192, 168, 1, 2), ok: false },
      { ip: ip(192, 168, 1, 3), ok: true },
      { ip: ip(192, 168, 1, 4), ok: false },
      { ip: ip(255, 255, 255, 255), ok: false },
    ],
  },
  {
    test: 'IPAddressesNetmaskPermitPrefixLen31',
    file: 'ipaddress-permit_prefix31.pem',
    checks: [
      { ip: ip(0, 0, 0, 0), ok: false },
      { ip: ip(192, 168, 1, 1), ok: false },
      { ip: ip(192, 168, 1, 2), ok: true },
      { ip: ip(192, 168, 1, 3), ok: true },
      { ip: ip(192, 168, 1, 4), ok: false },
      { ip: ip(192, 168, 1, 5), ok: false },
      { ip: ip(255, 255, 255, 255), ok: false },
    ],
  },
  {
    test: 'IPAddressesNetmaskPermitPrefixLen1',
    file: 'ipaddress-permit_prefix1.pem',
    checks: [
      { ip: ip(0, 0, 0, 0), ok: false },
      { ip: ip(0x7f, 0xff, 0xff, 0xff), ok: false },
      { ip: ip(0x80, 0, 0, 0), ok: true },
      { ip: ip(0xff, 0xff, 0xff, 0xff), ok: true },
    ],
  },
  {
    test: 'IPAddressesNetmaskPermitAll',
    file: 'ipaddress-permit_all.pem',
    checks: [
      { ip: ip(0, 0, 0, 0), ok: true },
      { ip: ip(192, 168, 1, 1), ok: true },
      { ip: ip(255, 255, 255, 255), ok: true },
    ],
  },
  { test: 'IPAddressesFailOnInvalidAddr', file: 'ipaddress-invalid_addr.pem', invalid: true },
  { test: 'IPAddressesFailOnInvalidMaskNotContiguous(1)', file: 'ipaddress-invalid_mask_not_contiguous_1.pem', invalid: true },
  { test: 'IPAddressesFailOnInvalidMaskNotContiguous(2)', file: 'ipaddress-invalid_mask_not_contiguous_2.pem', invalid: true },
  { test: 'IPAddressesFailOnInvalidMaskNotContiguous(3)', file: 'ipaddress-invalid_mask_not_contiguous_3.pem', invalid: true },
  { test: 'IPAddressesFailOnInvalidMaskNotContiguous(4)', file: 'ipaddress-invalid_mask_not_contiguous_4.pem', invalid: true },
  {
    test: 'IPAddressesMapped',
    file: 'ipaddress-mapped_addrs.pem',
    checks: [
      { ip: ip(192, 168, 1, 0), ok: true },
      { ip: v6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 168, 1, 0), ok: false },
      { ip: ip(192, 168, 1, 1), ok: false },
      { ip: ip(192, 168, 1, 2), ok: true },
      { ip: v6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 168, 2, 0), ok: true },
      { ip: ip(192, 168, 2, 0), ok: false },
      { ip: v6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 168, 2, 1), ok: false },
      { ip: v6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 168, 2, 2), ok: true },
    ],
  },
  unsupported('OtherNamesInPermitted', 'othername-permitted.pem', 'san-othername.pem', T.otherName),
  unsupported('OtherNamesInExcluded', 'othername-excluded.pem', 'san-othername.pem', T.otherName),
  {
    test: 'Rfc822NamesInPermitted',
    file: 'rfc822name-permitted.pem',
    checks: [
      { types: T.rfc822Name },
      ...rfc822({ '': true, '-domaincase': true, '-localpartcase': false, '-subdomain': false, '-no-at': false, '-two-ats': false, '-quoted': false, '-ipv4': false, '-multiple': false }),
    ],
  },
  {
    test: 'Rfc822NamesInExcluded',
    file: 'rfc822name-excluded.pem',
    checks: [
      { types: T.rfc822Name },
      ...rfc822({ '': false, '-domaincase': false, '-localpartcase': true, '-subdomain': true, '-no-at': false, '-two-ats': false, '-ipv4': false }),
    ],
  },
  {
    test: 'Rfc822NameHostnameInPermitted',
    file: 'rfc822name-permitted-hostname.pem',
    checks: [
      { types: T.rfc822Name },
      ...rfc822({
        '': true,
        '-domaincase': true,
        '-localpartcase': true,
        '-subdomain': false,
        '-no-at': false,
        '-two-ats': false,
        '-empty-localpart': false,
        '-quoted': false,
        '-multiple': true,
      }),
    ],
  },
  {
    test: 'Rfc822NameHostnameInExcluded',
    file: 'rfc822name-excluded-hostname.pem',
    checks: [
      { types: T.rfc822Name },
      ...rfc822({ '': false, '-domaincase': false, '-localpartcase': false, '-subdomain': true, '-no-at': false, '-two-ats': false, '-empty-localpart': false }),
    ],
  },
  {
    test: 'Rfc822NameHostnameWithAtInPermitted',
    file: 'rfc822name-permitted-hostnamewithat.pem',
    checks: [
      { types: T.rfc822Name },
      ...rfc822({ '-empty-localpart': false, '': false, '-domaincase': false, '-localpartcase': false, '-subdomain': false, '-no-at': false, '-two-ats': false }),
    ],
  },
  {
    test: 'Rfc822NameHostnameWithAtInExcluded',
    file: 'rfc822name-excluded-hostnamewithat.pem',
    checks: [
      { types: T.rfc822Name },
      ...rfc822({ '-empty-localpart': false, '': false, '-domaincase': false, '-localpartcase': false, '-subdomain': false, '-no-at': false, '-two-ats': false }),
    ],
  },
  {
    test: 'Rfc822NameSubdomainInPermitted',
    file: 'rfc822name-permitted-subdomains.pem',
    checks: [{ types: T.rfc822Name }, ...rfc822({ '': false, '-subdomain': true, '-subdomaincase': true, '-subdomain-no-at': false, '-subdomain-two-ats': false })],
  },
  {
    test: 'Rfc822NameSubdomainInExcluded',
    file: 'rfc822name-excluded-subdomains.pem',
    checks: [{ types: T.rfc822Name }, ...rfc822({ '': true, '-subdomain': false, '-subdomaincase': false, '-subdomain-no-at': false, '-subdomain-two-ats': false })],
  },
  { test: 'Rfc822NameEmptyPermitted', file: 'rfc822name-permitted-empty.pem', checks: [{ types: T.rfc822Name }, ...rfc822({ '': false, '-empty': false })] },
  { test: 'Rfc822NameEmptyExcluded', file: 'rfc822name-excluded-empty.pem', checks: [{ types: T.rfc822Name }, ...rfc822({ '': false, '-empty': false })] },
  { test: 'Rfc822NameIPv4Permitted', file: 'rfc822name-permitted-ipv4.pem', checks: [{ types: T.rfc822Name }, ...rfc822({ '': false, '-empty': false, '-ipv4': false })] },
  { test: 'Rfc822NameIPv4Excluded', file: 'rfc822name-excluded-ipv4.pem', checks: [{ types: T.rfc822Name }, ...rfc822({ '': false, '-empty': false, '-ipv4': false })] },
  { test: 'QuotedRfc822SanWithNoRfc822Constraints', file: 'othername-excluded.pem', checks: rfc822({ '-quoted': true }) },
  { test: 'QuotedRfc822SanMatchesQuotedPermitted', file: 'rfc822name-permitted-quoted.pem', checks: rfc822({ '-quoted': false }) },
  { test: 'UnquotedRfc822SanNotMatchingQuotedExcluded', file: 'rfc822name-excluded-quoted.pem', checks: rfc822({ '-subdomain': false }) },
  unsupported('X400AddresssInPermitted', 'x400address-permitted.pem', 'san-x400address.pem', T.x400Address),
  unsupported('X400AddresssInExcluded', 'x400address-excluded.pem', 'san-x400address.pem', T.x400Address),
  unsupported('EdiPartyNamesInPermitted', 'edipartyname-permitted.pem', 'san-edipartyname.pem', T.ediPartyName),
  unsupported('EdiPartyNamesInExcluded', 'edipartyname-excluded.pem', 'san-edipartyname.pem', T.ediPartyName),
  unsupported('URIsInPermitted', 'uri-permitted.pem', 'san-uri.pem', T.uniformResourceIdentifier),
  unsupported('URIsInExcluded', 'uri-excluded.pem', 'san-uri.pem', T.uniformResourceIdentifier),
  unsupported('RegisteredIDsInPermitted', 'registeredid-permitted.pem', 'san-registeredid.pem', T.registeredID),
  unsupported('RegisteredIDsInExcluded', 'registeredid-excluded.pem', 'san-registeredid.pem', T.registeredID),
  { test: 'failsOnGeneralSubtreeWithMinimumZeroEncodedUnnecessarily', file: 'dnsname-with_min_0.pem', invalid: true },
  { test: 'FailsOnGeneralSubtreeWithMinimum', file: 'dnsname-with_min_1.pem', invalid: true },
  { test: 'failsOnGeneralSubtreeWithMinimumZeroEncodedUnnecessarilyAndMaximum', file: 'dnsname-with_min_0_and_max.pem', invalid: true },
  { test: 'FailsOnGeneralSubtreeWithMinimumAndMaximum', file: 'dnsname-with_min_1_and_max.pem', invalid: true },
  { test: 'FailsOnGeneralSubtreeWithMaximum', file: 'dnsname-with_max.pem', invalid: true },
  { test: 'FailsOnEmptyExtensionValue', file: '', invalid: true },
  { test: 'FailsOnNoPermittedAndExcluded', file: 'invalid-no_subtrees.pem', invalid: true },
  { test: 'FailsOnEmptyPermitted', file: 'invalid-empty_permitted_subtree.pem', invalid: true },
  { test: 'FailsOnEmptyExcluded', file: 'invalid-empty_excluded_subtree.pem', invalid: true },
  {
    test: 'IsPermittedCertSubjectEmailAddressNoEmailConstraint',
    file: 'directoryname.pem',
    checks: [
      { subject: 'name-us-arizona-email.pem', ok: true },
      { subject: 'name-us-arizona-email-invalidstring.pem', ok: true },
    ],
  },
  {
    test: 'IsPermittedCertSubjectEmailAddressIsOk',
    file: 'rfc822name-permitted-hostname.pem',
    checks: [
      { subject: 'name-us-arizona-email.pem', ok: true },
      { subject: 'name-us-arizona-email-invalidstring.pem', ok: false },
      { subject: 'name-us-arizona-email-multiple.pem', ok: true },
    ],
  },
  {
    test: 'IsPermittedCertSubjectEmailAddressIsNotOk',
    file: 'rfc822name-permitted.pem',
    checks: [
      { subject: 'name-us-arizona-email.pem', ok: false },
      { subject: 'name-us-arizona-email-localpartcase.pem', ok: false },
      { subject: 'name-us-arizona-email-multiple.pem', ok: false },
    ],
  },
  {
    test: 'IsPermittedCertSubjectEmailAddressExcluded',
    file: 'rfc822name-excluded.pem',
    checks: [
      { subject: 'name-us-arizona-email.pem', ok: true },
      { subject: 'name-us-arizona-email-localpartcase.pem', ok: false },
      { subject: 'name-us-arizona-email-multiple.pem', ok: false },
    ],
  },
  {
    test: 'IsPermittedCertSubjectDnsNames',
    file: 'directoryname_and_dnsname.pem',
    checks: [
      { subject: 'name-us-arizona-foo.com.pem', ok: true },
      { subject: 'name-us-arizona-permitted.example.com.pem', ok: true },
      { subject: 'name-us-california-permitted.example.com.pem', ok: false },
    ],
  },
  {
    test: 'IsPermittedCertSubjectIpAddresses',
    file: 'directoryname_and_dnsname_and_ipaddress.pem',
    checks: [
      { subject: 'name-us-arizona-1.1.1.1.pem', ok: true },
      { subject: 'name-us-arizona-192.168.1.1.pem', ok: true },
      { subject: 'name-us-california-192.168.1.1.pem', ok: false },
      { subject: 'name-us-arizona-ipv6.pem', ok: true },
    ],
  },
];

function runChecks(nc: NameConstraints, checks: readonly Check[], critical: boolean): void {
  for (const c of checks) {
    if ('dns' in c) assert.equal(nc.isPermittedDnsName(c.dns), c.ok, `dNSName "${c.dns}"`);
    else if ('dir' in c) assert.equal(nc.isPermittedDirectoryName(nameValue(c.dir)), c.ok, `directoryName ${c.dir}`);
    else if ('ip' in c) assert.equal(nc.isPermittedIp(Uint8Array.from(c.ip)), c.ok, `iPAddress ${c.ip.join('.')}`);
    else if ('types' in c) {
      const want = c.types === 'critical-only' ? (critical ? c.type! : 0) : c.types;
      assert.equal(nc.constrainedTypes, want, 'constrained name types');
    } else {
      const subject = c.subject ? nameValue(c.subject) : new Uint8Array(0);
      const sanNames = c.san ? san(c.san) : undefined;
      const v = nc.checkCertificate(subject, sanNames);
      assert.notEqual(v, 'too-many-checks');
      const want = c.ok === '!critical' ? !critical : c.ok;
      assert.equal(v === 'ok', want, `certificate subject=${c.subject ?? '(empty)'} san=${c.san ?? '(none)'}`);
    }
  }
}

let passed = 0;
let failed = 0;

describe('x509-boringssl name_constraints_unittest', () => {
  after(() => console.log(`x509-boringssl name_constraints: ${passed} passed, ${failed} failed, 0 skipped (listed)`));
  for (const critical of [true, false]) {
    for (const c of CASES) {
      it(`${c.test} (${critical ? 'critical' : 'non-critical'})`, () => {
        try {
          const der = c.file ? constraintsDer(c.file) : new Uint8Array(0);
          if (c.invalid) {
            assert.throws(() => NameConstraints.parse(der, critical), { name: 'X509Error' });
          } else {
            runChecks(NameConstraints.parse(der, critical), c.checks ?? [], critical);
          }
          passed++;
        } catch (e) {
          failed++;
          throw e;
        }
      });
    }
    it(`DNSNamesFailOnInvalidIA5String (${critical ? 'critical' : 'non-critical'})`, () => {
      try {
        const der = Uint8Array.from(constraintsDer('dnsname.pem'));
        const needle = Buffer.from('permitted.example2.com');
        const at = Buffer.from(der).indexOf(needle);
        assert.ok(at >= 0);
        der[at] = 0xff;
        assert.throws(() => NameConstraints.parse(der, critical), { name: 'X509Error' });
        passed++;
      } catch (e) {
        failed++;
        throw e;
      }
    });
  }
  // From general_names_unittest: these SAN blocks live in this directory too.
  for (const f of ['san-invalid-empty.pem', 'san-invalid-ipaddress.pem']) {
    it(`GeneralNames rejects ${f}`, () => {
      try {
        assert.throws(() => san(f), { name: 'X509Error' });
        passed++;
      } catch (e) {
        failed++;
        throw e;
      }
    });
  }
});
