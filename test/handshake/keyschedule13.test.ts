/**
 * The TLS 1.3 key schedule against RFC 8448 (test/vectors/rfc8448/rfc8448.txt,
 * parsed here: every "{who}  step:" block and its "name (N octets): hex"
 * fields), and the exporter against node:tls.
 *
 * Transcript hashes are computed from the handshake messages the RFC prints,
 * not taken from its "hash" lines (those are checked too).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { defaultProvider as p, x25519Agree } from '../../src/crypto/node.js';
import {
  EarlySecret,
  deriveSecret,
  exportKeyingMaterial13,
  finishedVerifyData13,
  hashLength,
  hkdfExpandLabel,
  nextApplicationTrafficSecret,
  resumptionPsk,
  trafficKeys13,
} from '../../src/handshake/keyschedule13.js';
import { opensslAvailable, withLoopback } from '../crypto/tls-loopback.js';
import { vectorPath } from '../helpers/paths.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const cat = (...b: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(b));
const th = (...messages: Uint8Array[]): Uint8Array => p.hash('sha256', cat(...messages));

interface Step {
  readonly who: 'client' | 'server';
  readonly title: string;
  readonly fields: Map<string, Uint8Array>;
}

/** Parse one section of RFC 8448 into its steps. */
function parseSection(text: string, from: string, to: string): Step[] {
  const start = text.indexOf(from);
  const end = text.indexOf(to, start + from.length);
  assert.ok(start >= 0 && end > start, `section ${from} not found`);
  const lines = text
    .slice(start, end)
    .split('\n')
    .filter((l) => !/^Thomson\s+Informational/.test(l) && !/^RFC 8448\s+TLS 1\.3 Traces/.test(l) && !l.includes('\f'));
  const steps: Step[] = [];
  let step: { who: 'client' | 'server'; title: string; fields: Map<string, Uint8Array> } | undefined;
  let field: { name: string; expected: number; bytes: string[] } | undefined;
  let titleOpen = false;
  const closeField = (): void => {
    if (field && step) {
      assert.equal(field.bytes.length, field.expected, `${step.title} / ${field.name}: ${field.bytes.length} bytes, RFC says ${field.expected}`);
      step.fields.set(field.name, unhex(field.bytes.join('')));
    }
    field = undefined;
  };
  for (const line of lines) {
    const head = /^ {3}\{(client|server)\}\s+(.*)$/.exec(line);
    if (head) {
      closeField();
      step = { who: head[1] as 'client' | 'server', title: head[2]!.trim(), fields: new Map() };
      steps.push(step);
      titleOpen = !step.title.endsWith(':') && !step.title.endsWith(')');
      continue;
    }
    if (step && titleOpen && /^ {6}\S/.test(line) && !/octets\)/.test(line)) {
      step.title += ' ' + line.trim(); // a wrapped step title
      titleOpen = !line.trim().endsWith(':') && !line.trim().endsWith(')');
      continue;
    }
    const f = /^ {6}(\S.*?) \((\d+) octets\):\s*(.*)$/.exec(line);
    if (f && step) {
      closeField();
      const rest = f[3]!.trim();
      field = { name: f[1]!, expected: Number(f[2]), bytes: rest === '(empty)' ? [] : rest.split(/\s+/) };
      titleOpen = false;
      continue;
    }
    if (field && /^\s+([0-9a-f]{2}\s*)+$/.test(line)) {
      field.bytes.push(...line.trim().split(/\s+/));
      continue;
    }
    if (line.trim() === '') continue;
    closeField();
  }
  closeField();
  return steps;
}

const rfc = readFileSync(vectorPath('rfc8448', 'rfc8448.txt'), 'utf8');
const s3 = parseSection(rfc, '\n3.  Simple 1-RTT Handshake', '\n4.  Resumed 0-RTT Handshake');
const s4 = parseSection(rfc, '\n4.  Resumed 0-RTT Handshake', '\n5.  HelloRetryRequest');

/** The n-th step (with fields) whose title starts with `title`, for `who`; then one of its fields. */
function get(steps: Step[], who: 'client' | 'server', title: string, name: string, nth = 0): Uint8Array {
  const found = steps.filter((s) => s.who === who && s.title.startsWith(title) && s.fields.size > 0);
  const st = found[nth];
  assert.ok(st, `no step "${who} ${title}" #${nth}`);
  const v = st.fields.get(name);
  assert.ok(v, `step "${who} ${title}" has no field ${name} (has ${[...st.fields.keys()].join(', ')})`);
  return v;
}

const H = 'sha256';

describe('RFC 8448 §3 Simple 1-RTT Handshake (TLS_AES_128_GCM_SHA256, x25519)', () => {
  const v = (who: 'client' | 'server', title: string, name: string): string => hex(get(s3, who, title, name));
  const ch = get(s3, 'client', 'construct a ClientHello', 'ClientHello');
  const sh = get(s3, 'server', 'construct a ServerHello', 'ServerHello');
  const ee = get(s3, 'server', 'construct an EncryptedExtensions', 'EncryptedExtensions');
  const cert = get(s3, 'server', 'construct a Certificate', 'Certificate');
  const cv = get(s3, 'server', 'construct a CertificateVerify', 'CertificateVerify');
  const sfin = get(s3, 'server', 'construct a Finished', 'Finished');
  const cfin = get(s3, 'client', 'construct a Finished', 'Finished');
  const thHello = th(ch, sh);
  const thServerCv = th(ch, sh, ee, cert, cv);
  const thServerFin = th(ch, sh, ee, cert, cv, sfin);
  const thClientFin = th(ch, sh, ee, cert, cv, sfin, cfin);

  const early = new EarlySecret(p, H);
  const shared = x25519Agree(get(s3, 'client', 'create an ephemeral x25519', 'private key'), get(s3, 'server', 'create an ephemeral x25519', 'public key'));
  const hs = early.handshakeSecret(shared);
  const ms = hs.masterSecret();

  it('parses the section and its messages', () => {
    assert.equal(ch.length, 196);
    assert.equal(sh.length, 90);
    assert.equal(cert.length, 445);
    assert.equal(hashLength(H), 32);
  });

  it('derives the early secret with no PSK', () => {
    assert.equal(hex(early.secret), v('server', 'extract secret "early"', 'secret'));
  });

  it('agrees on the x25519 shared secret from the RFC key pairs (both directions)', () => {
    assert.equal(hex(shared), v('server', 'extract secret "handshake"', 'IKM'));
    const other = x25519Agree(get(s3, 'server', 'create an ephemeral x25519', 'private key'), get(s3, 'client', 'create an ephemeral x25519', 'public key'));
    assert.equal(hex(other), hex(shared));
  });

  it('derives "derived", the handshake secret and the handshake traffic secrets', () => {
    assert.equal(hex(deriveSecret(p, H, early.secret, 'derived', p.hash(H, new Uint8Array(0)))), v('server', 'derive secret for handshake "tls13 derived"', 'expanded'));
    assert.equal(hex(hs.secret), v('server', 'extract secret "handshake"', 'secret'));
    assert.equal(hex(thHello), v('server', 'derive secret "tls13 c hs traffic"', 'hash'));
    assert.equal(hex(hs.clientHandshakeTrafficSecret(thHello)), v('server', 'derive secret "tls13 c hs traffic"', 'expanded'));
    assert.equal(hex(hs.serverHandshakeTrafficSecret(thHello)), v('server', 'derive secret "tls13 s hs traffic"', 'expanded'));
  });

  it('builds the HkdfLabel exactly as the RFC prints the info', () => {
    // info for "c hs traffic": uint16 32, "tls13 c hs traffic", transcript hash.
    const info = get(s3, 'server', 'derive secret "tls13 c hs traffic"', 'info');
    assert.equal(hex(info.subarray(0, 3)), '0020' + '12');
    assert.equal(Buffer.from(info.subarray(3, 3 + 18)).toString('latin1'), 'tls13 c hs traffic');
    assert.equal(hex(p.hkdfExpand(H, hs.secret, info, 32)), hex(hs.clientHandshakeTrafficSecret(thHello)));
  });

  it('derives the master secret', () => {
    assert.equal(hex(ms.secret), v('server', 'extract secret "master"', 'secret'));
  });

  it('derives the handshake traffic keys and IVs of both sides', () => {
    const server = trafficKeys13(p, H, 'AES_128_GCM', hs.serverHandshakeTrafficSecret(thHello));
    assert.equal(hex(server.key), v('server', 'derive write traffic keys for handshake data', 'key expanded'));
    assert.equal(hex(server.iv), v('server', 'derive write traffic keys for handshake data', 'iv expanded'));
    const client = trafficKeys13(p, H, 'AES_128_GCM', hs.clientHandshakeTrafficSecret(thHello));
    assert.equal(hex(client.key), v('server', 'derive read traffic keys for handshake data', 'key expanded'));
    assert.equal(hex(client.iv), v('server', 'derive read traffic keys for handshake data', 'iv expanded'));
  });

  it('computes both Finished messages', () => {
    const serverVd = finishedVerifyData13(p, H, hs.serverHandshakeTrafficSecret(thHello), thServerCv);
    assert.equal(hex(serverVd), v('server', 'calculate finished', 'finished'));
    assert.equal(hex(sfin.subarray(4)), hex(serverVd));
    const finishedKey = hkdfExpandLabel(p, H, hs.serverHandshakeTrafficSecret(thHello), 'finished', new Uint8Array(0), 32);
    assert.equal(hex(finishedKey), v('server', 'calculate finished', 'expanded'));
    const clientVd = finishedVerifyData13(p, H, hs.clientHandshakeTrafficSecret(thHello), thServerFin);
    assert.equal(hex(clientVd), v('client', 'calculate finished', 'finished'));
    assert.equal(hex(cfin.subarray(4)), hex(clientVd));
  });

  it('derives the application traffic secrets, the exporter and resumption master secrets', () => {
    assert.equal(hex(thServerFin), v('server', 'derive secret "tls13 c ap traffic"', 'hash'));
    assert.equal(hex(ms.clientApplicationTrafficSecret0(thServerFin)), v('server', 'derive secret "tls13 c ap traffic"', 'expanded'));
    assert.equal(hex(ms.serverApplicationTrafficSecret0(thServerFin)), v('server', 'derive secret "tls13 s ap traffic"', 'expanded'));
    assert.equal(hex(ms.exporterMasterSecret(thServerFin)), v('server', 'derive secret "tls13 exp master"', 'expanded'));
    assert.equal(hex(thClientFin), v('client', 'derive secret "tls13 res master"', 'hash'));
    assert.equal(hex(ms.resumptionMasterSecret(thClientFin)), v('client', 'derive secret "tls13 res master"', 'expanded'));
  });

  it('derives the application traffic keys and IVs of both sides', () => {
    const server = trafficKeys13(p, H, 'AES_128_GCM', ms.serverApplicationTrafficSecret0(thServerFin));
    assert.equal(hex(server.key), v('server', 'derive write traffic keys for application data', 'key expanded'));
    assert.equal(hex(server.iv), v('server', 'derive write traffic keys for application data', 'iv expanded'));
    const client = trafficKeys13(p, H, 'AES_128_GCM', ms.clientApplicationTrafficSecret0(thServerFin));
    assert.equal(hex(client.key), v('client', 'derive write traffic keys for application data', 'key expanded'));
    assert.equal(hex(client.iv), v('client', 'derive write traffic keys for application data', 'iv expanded'));
  });

  it('derives the resumption PSK from the ticket nonce', () => {
    const rms = ms.resumptionMasterSecret(thClientFin);
    const nonce = get(s3, 'server', 'generate resumption secret', 'hash');
    assert.equal(hex(nonce), '0000');
    assert.equal(hex(resumptionPsk(p, H, rms, nonce)), v('server', 'generate resumption secret', 'expanded'));
  });

  it('decrypts the server handshake flight and the client Finished record with the derived keys', () => {
    const open = (secret: Uint8Array, record: Uint8Array, seq: number): Uint8Array | null => {
      const { key, iv } = trafficKeys13(p, H, 'AES_128_GCM', secret);
      const nonce = Uint8Array.from(iv);
      for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Math.floor(seq / 2 ** (8 * i)) & 0xff;
      return p.createAead('AES_128_GCM', key).open(nonce, record.subarray(0, 5), record.subarray(5));
    };
    const serverFlight = get(s3, 'server', 'send handshake record', 'complete record', 1);
    const inner = open(hs.serverHandshakeTrafficSecret(thHello), serverFlight, 0);
    assert.ok(inner);
    assert.equal(hex(inner), hex(cat(ee, cert, cv, sfin, Uint8Array.of(22))));
    const clientFin = get(s3, 'client', 'send handshake record', 'complete record', 1);
    const inner2 = open(hs.clientHandshakeTrafficSecret(thHello), clientFin, 0);
    assert.ok(inner2);
    assert.equal(hex(inner2), hex(cat(cfin, Uint8Array.of(22))));
  });
});

describe('RFC 8448 §4 Resumed 0-RTT Handshake', () => {
  const v = (who: 'client' | 'server', title: string, name: string): string => hex(get(s4, who, title, name));
  const psk = get(s4, 'client', 'extract secret "early"', 'IKM');
  const early = new EarlySecret(p, H, psk);
  // RFC 8448 §4 prints, as "ClientHello", the 477-byte prefix up to the binders list; the
  // whole 512-byte ClientHello (prefix + binders) is the payload of the first client record.
  const chPrefix = get(s4, 'client', 'construct a ClientHello', 'ClientHello');
  const ch = get(s4, 'client', 'send handshake record', 'payload');
  const sh = get(s4, 'server', 'construct a ServerHello', 'ServerHello');

  it('uses the §3 resumption PSK as its PSK', () => {
    const rms = get(s3, 'client', 'derive secret "tls13 res master"', 'expanded');
    assert.equal(hex(resumptionPsk(p, H, rms, Uint8Array.of(0, 0))), hex(psk));
  });

  it('derives the early secret from the PSK', () => {
    assert.equal(hex(early.secret), v('client', 'extract secret "early"', 'secret'));
  });

  it('computes the PSK binder over the truncated ClientHello with the res binder key', () => {
    // The binders list (uint16 length, one uint8-length 32-byte binder) ends the ClientHello.
    const truncated = ch.subarray(0, ch.length - (2 + 1 + 32));
    assert.equal(hex(truncated), hex(chPrefix));
    assert.equal(hex(get(s4, 'client', 'calculate PSK binder', 'ClientHello prefix')), hex(chPrefix));
    const binderHash = th(truncated);
    assert.equal(hex(binderHash), v('client', 'calculate PSK binder', 'binder hash'));
    const binderKey = early.binderKey('res');
    assert.equal(hex(binderKey), v('client', 'calculate PSK binder', 'PRK'));
    const binder = finishedVerifyData13(p, H, binderKey, binderHash);
    assert.equal(hex(binder), v('client', 'calculate PSK binder', 'finished'));
    assert.equal(hex(ch.subarray(ch.length - 32)), hex(binder));
    assert.notEqual(hex(early.binderKey('ext')), hex(binderKey));
  });

  it('derives the early traffic secret, early exporter master secret and early data keys', () => {
    const thCh = th(ch);
    assert.equal(hex(thCh), v('client', 'derive secret "tls13 c e traffic"', 'hash'));
    const cets = early.clientEarlyTrafficSecret(thCh);
    assert.equal(hex(cets), v('client', 'derive secret "tls13 c e traffic"', 'expanded'));
    assert.equal(hex(early.earlyExporterMasterSecret(thCh)), v('client', 'derive secret "tls13 e exp master"', 'expanded'));
    const keys = trafficKeys13(p, H, 'AES_128_GCM', cets);
    assert.equal(hex(keys.key), v('client', 'derive write traffic keys for early application data', 'key expanded'));
    assert.equal(hex(keys.iv), v('client', 'derive write traffic keys for early application data', 'iv expanded'));
  });

  it('derives the handshake and master secrets and the traffic secrets after the PSK + x25519 handshake', () => {
    const shared = x25519Agree(get(s4, 'client', 'create an ephemeral x25519', 'private key'), get(s4, 'server', 'create an ephemeral x25519', 'public key'));
    assert.equal(hex(shared), v('server', 'extract secret "handshake"', 'IKM'));
    const hs = early.handshakeSecret(shared);
    assert.equal(hex(hs.secret), v('server', 'extract secret "handshake"', 'secret'));
    const thHello = th(ch, sh);
    assert.equal(hex(hs.clientHandshakeTrafficSecret(thHello)), v('server', 'derive secret "tls13 c hs traffic"', 'expanded'));
    assert.equal(hex(hs.serverHandshakeTrafficSecret(thHello)), v('server', 'derive secret "tls13 s hs traffic"', 'expanded'));
    const ms = hs.masterSecret();
    assert.equal(hex(ms.secret), v('server', 'extract secret "master"', 'secret'));
    const ee = get(s4, 'server', 'construct an EncryptedExtensions', 'EncryptedExtensions');
    const sfin = get(s4, 'server', 'construct a Finished', 'Finished');
    assert.equal(hex(finishedVerifyData13(p, H, hs.serverHandshakeTrafficSecret(thHello), th(ch, sh, ee))), hex(sfin.subarray(4)));
    const thServerFin = th(ch, sh, ee, sfin);
    assert.equal(hex(ms.clientApplicationTrafficSecret0(thServerFin)), v('server', 'derive secret "tls13 c ap traffic"', 'expanded'));
    assert.equal(hex(ms.serverApplicationTrafficSecret0(thServerFin)), v('server', 'derive secret "tls13 s ap traffic"', 'expanded'));
    assert.equal(hex(ms.exporterMasterSecret(thServerFin)), v('server', 'derive secret "tls13 exp master"', 'expanded'));
    const eoed = get(s4, 'client', 'construct an EndOfEarlyData', 'EndOfEarlyData');
    const cfin = get(s4, 'client', 'construct a Finished', 'Finished');
    const thEoed = th(ch, sh, ee, sfin, eoed);
    assert.equal(hex(finishedVerifyData13(p, H, hs.clientHandshakeTrafficSecret(thHello), thEoed)), hex(cfin.subarray(4)));
    assert.equal(hex(ms.resumptionMasterSecret(th(ch, sh, ee, sfin, eoed, cfin))), v('client', 'derive secret "tls13 res master"', 'expanded'));
  });
});

describe('TLS 1.3 key schedule helpers', () => {
  it('nextApplicationTrafficSecret is HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)', () => {
    const secret = p.randomBytes(48);
    const next = nextApplicationTrafficSecret(p, 'sha384', secret);
    assert.equal(next.length, 48);
    assert.equal(hex(next), hex(hkdfExpandLabel(p, 'sha384', secret, 'traffic upd', new Uint8Array(0), 48)));
  });

  it('hkdfExpandLabel refuses labels and contexts that do not fit the HkdfLabel struct', () => {
    assert.throws(() => hkdfExpandLabel(p, 'sha256', new Uint8Array(32), 'x'.repeat(250), new Uint8Array(0), 32), RangeError);
    assert.throws(() => hkdfExpandLabel(p, 'sha256', new Uint8Array(32), 'key', new Uint8Array(256), 32), RangeError);
  });

  it('hashLength knows every suite hash', () => {
    assert.deepEqual([hashLength('sha256'), hashLength('sha384'), hashLength('sha512')], [32, 48, 64]);
  });

  it('exportKeyingMaterial13 treats an absent context as an empty one', () => {
    const ems = p.randomBytes(32);
    assert.equal(hex(exportKeyingMaterial13(p, 'sha256', ems, 'EXPERIMENTAL x', undefined, 16)), hex(exportKeyingMaterial13(p, 'sha256', ems, 'EXPERIMENTAL x', new Uint8Array(0), 16)));
  });
});

describe('TLS 1.3 exporter against node:tls', { skip: !opensslAvailable() && 'no openssl CLI (needed for the test certificate)' }, () => {
  for (const [suite, hash] of [
    ['TLS_AES_128_GCM_SHA256', 'sha256'],
    ['TLS_AES_256_GCM_SHA384', 'sha384'],
    ['TLS_CHACHA20_POLY1305_SHA256', 'sha256'],
  ] as const) {
    it(`exportKeyingMaterial13 from the key log's EXPORTER_SECRET equals tlsSocket.exportKeyingMaterial (${suite})`, async () => {
      await withLoopback({ version: 'TLSv1.3', ciphers: suite }, (s) => {
        assert.equal(s.client.getCipher().standardName, suite);
        const ems = unhex(s.keylog.get('EXPORTER_SECRET') ?? '');
        assert.equal(ems.length, hashLength(hash));
        for (const context of [new Uint8Array(0), Uint8Array.from(Buffer.from('some context'))]) {
          for (const length of [16, 32, 100]) {
            const theirs = s.client.exportKeyingMaterial(length, 'EXPERIMENTAL-ts-tls', Buffer.from(context));
            assert.equal(hex(exportKeyingMaterial13(p, hash, ems, 'EXPERIMENTAL-ts-tls', context, length)), theirs.toString('hex'));
          }
        }
      });
    });
  }
});
