/**
 * The parsers outside the engine that read peer bytes, fuzzed directly:
 *
 * - the trace decoder (decodeHandshakeMessage, formatHandshakeMessage) and a
 *   whole tracer fed a recorded connection's events with some mutated: never
 *   a throw, never a "[trace error" line (the tracer's own catch-all);
 * - the inspector's ClientHello analysis and JA3/JA4 (a visitor's hello):
 *   only TLSError/DecodeError out of analyzeClientHello, nothing out of the
 *   fingerprints;
 * - every handshake message and extension codec: only TLSError/DecodeError;
 * - X.509: Certificate.fromDer and PEM decoding of mutated certificates give
 *   only X509Error/DerError; what parses can be summarised, shown as Node's
 *   peer certificate and verified (verifyCertificateChainSync never throws).
 */
import { frameHandshake } from '../../src/messages/handshake.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HandshakeSummary, TraceEvent } from '../../src/connection.js';
import { TLSError } from '../../src/errors.js';
import { analyzeClientHello, explain, inspectorJson, ja3, ja4, renderInspectorPage, type HelloAnalysis, type WireMessage } from '../../src/inspector/index.js';
import {
  alpn,
  cookie,
  earlyData,
  ecPointFormats,
  keyShare,
  preSharedKey,
  pskModes,
  renegotiationInfo,
  serverName,
  supportedVersions,
  u16List,
} from '../../src/messages/extensions.js';
import {
  CertificateCodec,
  CertificateRequest12Codec,
  CertificateRequest13Codec,
  CertificateVerifyCodec,
  ClientHelloCodec,
  ClientKeyExchangeCodec,
  EncryptedExtensionsCodec,
  KeyUpdateCodec,
  NewSessionTicket12Codec,
  NewSessionTicket13Codec,
  ServerHelloCodec,
  ServerKeyExchangeCodec,
  decodeMessage,
} from '../../src/messages/handshake.js';
import type { KeyExchangeKind, VersionName } from '../../src/registry.js';
import { summarizeCertificate } from '../../src/trace/certificate-summary.js';
import { createTracer, decodeHandshakeMessage, formatHandshakeMessage } from '../../src/trace/index.js';
import { DecodeError, Reader } from '../../src/wire/reader.js';
import { Certificate } from '../../src/x509/certificate.js';
import { DerError, X509Error } from '../../src/x509/errors.js';
import { decodePemBlocks, encodePem } from '../../src/x509/pem.js';
import { toPeerCertificate } from '../../src/x509/peer-certificate.js';
import { verifyCertificateChainSync } from '../../src/x509/verify.js';
import { projectRoot, vectorPath } from '../helpers/paths.js';
import { describeError, strayCause } from './harness.js';
import { INTERESTING_BYTES, mutateDer, mutateMessage, mutateStream, toHex } from './mutate.js';
import { Rng, mixSeed } from './prng.js';
import { FUZZ_NOW, SCENARIOS, record, type Recording } from './scenarios.js';

export interface ParserCorpus {
  /** Handshake messages (header + body) with the version they were sent under. */
  readonly messages: readonly { readonly raw: Uint8Array; readonly version: VersionName | undefined; readonly kx: KeyExchangeKind | undefined }[];
  /** Whole connections' trace events, one list per side. */
  readonly connections: readonly (readonly TraceEvent[])[];
  readonly certificates: readonly Uint8Array[];
  readonly pems: readonly string[];
  readonly caPem: string;
  /** Servers' handshake summaries (for the inspector page). */
  readonly summaries: readonly HandshakeSummary[];
}

export interface ParserCaseResult {
  readonly seed: number;
  readonly index: number;
  readonly target: string;
  readonly detail: string;
  readonly bytes: Uint8Array;
  readonly violations: readonly string[];
}

/** A typed error that is not a stray exception in disguise (see strayCause). */
const isTyped = (e: unknown): boolean => (e instanceof TLSError || e instanceof DecodeError) && strayCause(e) === undefined;
const isX509 = (e: unknown): boolean => (e instanceof X509Error || e instanceof DerError) && strayCause(e) === undefined;

const kxOf = (name: string): KeyExchangeKind | undefined =>
  name.includes('dhe-rsa') ? 'DHE' : name.includes('rsa-kx') ? 'RSA' : name.startsWith('tls12') ? 'ECDHE' : undefined;

/** The recorded connections the parser corpus is taken from. */
const PARSER_SCENARIOS = ['tls13-client-auth', 'tls13-resume-psk-dhe-tickets', 'tls13-hrr-p384', 'tls12-dhe-rsa', 'tls12-chacha-client-auth', 'tls12-resume-ticket'];

const TARGETS: readonly (readonly [number, string])[] = [
  [5, 'trace-message'],
  [2, 'tracer-stream'],
  [3, 'inspector-hello'],
  [1, 'inspector-page'],
  [6, 'codecs'],
  [5, 'x509-der'],
  [1, 'x509-pem'],
  [1, 'x509-verify'],
];

export class ParserFuzzer {
  constructor(readonly corpus: ParserCorpus) {}

  /** The corpus: messages and events of recorded scenarios (a few are recorded when none are given), fixture and vector certificates. */
  static async corpus(recordings?: readonly Recording[]): Promise<ParserCorpus> {
    // Always the same scenarios, so a (seed, case) names the same parser case everywhere.
    const recs: Recording[] = [];
    for (const name of PARSER_SCENARIOS) {
      recs.push(recordings?.find((r) => r.state.scenario.name === name) ?? (await record(SCENARIOS.find((s) => s.name === name)!)));
    }
    const messages: { raw: Uint8Array; version: VersionName | undefined; kx: KeyExchangeKind | undefined }[] = [];
    const connections: TraceEvent[][] = [];
    for (const r of recs) {
      const kx = kxOf(r.state.scenario.name);
      for (const side of ['client', 'server'] as const) {
        connections.push([...r.events[side]]);
        for (const e of r.events[side]) {
          if (e.kind === 'handshake' && e.message && e.direction === 'sent') messages.push({ raw: e.message, version: e.version, kx });
        }
      }
    }
    const pki = join(projectRoot, 'test', 'fixtures', 'pki');
    const pems = readdirSync(pki).filter((f) => f.endsWith('.pem')).map((f) => readFileSync(join(pki, f), 'utf8'));
    // BoringSSL's certificate test data (odd but mostly valid certificates: the best starting points), in a fixed order.
    const vectors: string[] = [];
    const walk = (dir: string): void => {
      let names: string[];
      try {
        names = readdirSync(dir, { withFileTypes: true }).map((d) => (d.isDirectory() ? `${d.name}/` : d.name)).sort();
      } catch {
        return;
      }
      for (const n of names) {
        if (n.endsWith('/')) walk(join(dir, n));
        else if (n.endsWith('.pem')) vectors.push(readFileSync(join(dir, n), 'utf8'));
      }
    };
    for (const sub of ['parse_certificate_unittest', 'verify_certificate_chain_unittest', 'name_constraints_unittest']) walk(vectorPath('x509-boringssl', sub));
    const certificates: Uint8Array[] = [];
    for (const text of [...pems, ...vectors]) {
      try {
        for (const b of decodePemBlocks(text)) if (b.label === 'CERTIFICATE') certificates.push(b.der);
      } catch {
        // a vector that is meant to be bad PEM
      }
    }
    const summaries = recs.map((r) => r.summaries.server).filter((x): x is HandshakeSummary => x !== undefined);
    return { messages, connections, certificates, pems, caPem: readFileSync(join(pki, 'ca.pem'), 'utf8'), summaries };
  }

  runCase(seed: number, index: number): ParserCaseResult {
    const rng = new Rng(mixSeed(seed, index, 0x9a45));
    const target = rng.weighted(TARGETS);
    const violations: string[] = [];
    let detail = '';
    let bytes: Uint8Array = new Uint8Array(0);
    const c = this.corpus;
    try {
      switch (target) {
        case 'trace-message': {
          const m = rng.pick(c.messages);
          const mm = mutateMessage(rng, m.raw, undefined, { version: m.version, kx: m.kx });
          bytes = mm.bytes;
          const ctx = rng.chance(0.8) ? { version: m.version, kx: m.kx } : { version: rng.pick<VersionName | undefined>(['TLSv1.2', 'TLSv1.3', undefined]), kx: rng.pick<KeyExchangeKind | undefined>(['ECDHE', 'DHE', 'RSA', undefined]) };
          detail = `message type ${m.raw[0]} ${m.version ?? ''} ${mm.applied.join('+')}`;
          try {
            decodeHandshakeMessage(bytes, ctx);
            formatHandshakeMessage(bytes, { ...ctx, explain: true, fullHex: rng.chance(0.5) });
          } catch (e) {
            violations.push(`trace decoder threw ${describeError(e)}`);
          }
          break;
        }
        case 'tracer-stream': {
          const events = rng.pick(c.connections);
          const lines: string[] = [];
          const tracer = createTracer({ format: rng.chance(0.6) ? 'text' : 'json', write: (l) => lines.push(l), explain: rng.chance(0.5) });
          const applied: string[] = [];
          const hit = new Set<number>();
          for (let k = rng.range(1, 3); k > 0; k--) hit.add(rng.int(events.length));
          for (let i = 0; i < events.length; i++) {
            let e = events[i]!;
            if (hit.has(i)) {
              if (e.message) {
                const m = mutateMessage(rng, e.message, undefined, { version: e.version });
                e = { ...e, message: m.bytes };
                bytes = m.bytes;
                applied.push(`#${i} message ${m.applied.join('+')}`);
              } else if (e.record) {
                const m = mutateStream(rng, e.record);
                e = { ...e, record: m.bytes, length: rng.chance(0.5) ? m.bytes.length - 5 : e.length };
                bytes = m.bytes;
                applied.push(`#${i} record ${m.applied.join('+')}`);
              } else if (e.alert) {
                e = { ...e, alert: { level: rng.pick(INTERESTING_BYTES), description: rng.int(256) } };
                applied.push(`#${i} alert`);
              }
            }
            try {
              tracer.onEvent(e);
            } catch (err) {
              violations.push(`tracer.onEvent threw ${describeError(err)}`);
            }
          }
          try {
            tracer.flush();
          } catch (err) {
            violations.push(`tracer.flush threw ${describeError(err)}`);
          }
          const bad = lines.find((l) => l.includes('[trace error'));
          if (bad) violations.push(`tracer caught its own exception: ${bad}`);
          detail = applied.join(', ');
          break;
        }
        case 'inspector-hello': {
          const hellos = c.messages.filter((m) => m.raw[0] === 1);
          const m = mutateMessage(rng, rng.pick(hellos).raw, undefined, {});
          bytes = m.bytes;
          detail = m.applied.join('+');
          if (bytes[0] !== 1) break; // not a ClientHello any more: the inspector is only given ClientHellos
          let analysis: ReturnType<typeof analyzeClientHello> | undefined;
          try {
            analysis = analyzeClientHello(bytes);
          } catch (e) {
            if (!isTyped(e)) violations.push(`analyzeClientHello threw ${describeError(e)}`);
          }
          if (analysis) {
            try {
              ja3(analysis.hello);
              ja4(analysis.hello);
            } catch (e) {
              violations.push(`fingerprint threw ${describeError(e)}`);
            }
          }
          break;
        }
        case 'inspector-page': {
          // A visitor's ClientHello with markup in its server_name and ALPN names, often mutated too, shown
          // on the inspector page: nothing may throw, and the markup must come out escaped.
          const hello = ClientHelloCodec.decode(new Reader(rng.pick(c.messages.filter((m) => m.raw[0] === 1)).raw, 4));
          const planted = {
            ...hello,
            extensions: [
              ...hello.extensions.filter((e) => e.type !== 0 && e.type !== 16),
              { type: 0, data: serverName.encode(`x<fz>"'${rng.int(100)}.example`) },
              { type: 16, data: alpn.encode(['<fz>', `h2"'<fz`]) },
            ],
          };
          const m = rng.chance(0.6) ? mutateMessage(rng, frameHandshake(1, ClientHelloCodec.encode(planted)), undefined, {}) : { bytes: frameHandshake(1, ClientHelloCodec.encode(planted)), applied: ['markup only'] };
          bytes = m.bytes;
          detail = m.applied.join('+');
          let analysis: HelloAnalysis | undefined;
          let helloError: string | undefined;
          try {
            analysis = analyzeClientHello(bytes);
          } catch (e) {
            if (!isTyped(e) && bytes[0] === 1) violations.push(`analyzeClientHello threw ${describeError(e)}`);
            helloError = (e as Error).message;
          }
          const messages: WireMessage[] = [
            { direction: 'received', kind: 'handshake', name: 'ClientHello', handshakeType: 1, length: bytes.length, encrypted: false, count: 1 },
            { direction: 'sent', kind: 'handshake', name: 'Unknown (0x7f)', handshakeType: 0x7f, length: 0, encrypted: true, count: 1 },
            { direction: 'received', kind: 'application_data', name: 'Application Data', length: 5, encrypted: true, count: 3 },
          ];
          const view = {
            record: { startedAt: 0, clientHello: analysis, helloError, helloRetried: rng.chance(0.2), messages, bytesReceived: bytes.length, bytesSent: 0 },
            summary: c.summaries.length > 0 && rng.chance(0.8) ? rng.pick(c.summaries) : undefined,
            server: { suites: [0x1301, 0xc02f], groups: [0x1d, 0x17], alpn: ['h2'], minVersion: 'TLSv1.2' as const, maxVersion: 'TLSv1.3' as const },
            request: { method: 'GET', path: '/<fz>', httpVersion: '1.1', userAgent: '<fz>' },
          };
          try {
            const html = renderInspectorPage(view);
            JSON.stringify(inspectorJson(view));
            explain(view);
            const at = html.search(/<fz|"'/);
            if (at >= 0) violations.push(`inspector page carries unescaped peer text: …${html.slice(Math.max(0, at - 40), at + 40)}…`);
          } catch (e) {
            violations.push(`the inspector page threw ${describeError(e)}`);
          }
          break;
        }
        case 'codecs': {
          const m = rng.pick(c.messages);
          const mm = mutateMessage(rng, m.raw, undefined, { version: m.version, kx: m.kx });
          bytes = mm.bytes;
          const body = bytes.subarray(Math.min(4, bytes.length));
          const codec = rng.pick(CODECS);
          detail = `${codec[0]} on a mutated type ${m.raw[0]} ${mm.applied.join('+')}`;
          try {
            codec[1](body);
          } catch (e) {
            if (!isTyped(e)) violations.push(`${codec[0]} threw ${describeError(e)}`);
          }
          break;
        }
        case 'x509-der': {
          const der = rng.pick(c.certificates);
          const m = rng.chance(0.5) ? mutateStream(rng, der) : mutateDer(rng, der);
          bytes = m.bytes;
          detail = m.applied.join('+');
          violations.push(...certificateChecks(bytes, c.caPem));
          break;
        }
        case 'x509-pem': {
          const pem = rng.chance(0.5) ? rng.pick(c.pems) : encodePem('CERTIFICATE', rng.pick(c.certificates));
          const m = mutateStream(rng, new TextEncoder().encode(pem));
          bytes = m.bytes;
          detail = m.applied.join('+');
          const text = new TextDecoder().decode(bytes);
          try {
            for (const b of decodePemBlocks(text)) if (b.label === 'CERTIFICATE') violations.push(...certificateChecks(b.der, c.caPem));
          } catch (e) {
            if (!isX509(e)) violations.push(`decodePemBlocks threw ${describeError(e)}`);
          }
          try {
            Certificate.parseAll(text);
          } catch (e) {
            if (!isX509(e)) violations.push(`Certificate.parseAll threw ${describeError(e)}`);
          }
          break;
        }
        case 'x509-verify': {
          const der = rng.pick(c.certificates);
          const m = mutateDer(rng, der);
          bytes = m.bytes;
          detail = m.applied.join('+');
          try {
            verifyCertificateChainSync({ chain: [bytes, ...c.certificates.slice(0, rng.int(3))], trustAnchors: c.caPem, hostname: 'localhost', time: FUZZ_NOW });
          } catch (e) {
            violations.push(`verifyCertificateChainSync threw ${describeError(e)}`);
          }
          break;
        }
      }
    } catch (e) {
      violations.push(`the case threw ${describeError(e)}`);
    }
    return { seed, index, target, detail, bytes, violations };
  }
}


/** Every codec, each given any body. */
const CODECS: readonly (readonly [string, (b: Uint8Array) => unknown])[] = [
  ['ClientHello', (b) => decodeMessage({ type: 1, body: b }, (r) => ClientHelloCodec.decode(r))],
  ['ServerHello', (b) => decodeMessage({ type: 2, body: b }, (r) => ServerHelloCodec.decode(r))],
  ['Certificate 1.2', (b) => decodeMessage({ type: 11, body: b }, (r) => CertificateCodec.decode(r, false, 10))],
  ['Certificate 1.3', (b) => decodeMessage({ type: 11, body: b }, (r) => CertificateCodec.decode(r, true, 10))],
  ['ServerKeyExchange ECDHE', (b) => decodeMessage({ type: 12, body: b }, (r) => ServerKeyExchangeCodec.decode(r, 'ECDHE'))],
  ['ServerKeyExchange DHE', (b) => decodeMessage({ type: 12, body: b }, (r) => ServerKeyExchangeCodec.decode(r, 'DHE'))],
  ['CertificateRequest 1.2', (b) => decodeMessage({ type: 13, body: b }, (r) => CertificateRequest12Codec.decode(r))],
  ['CertificateRequest 1.3', (b) => decodeMessage({ type: 13, body: b }, (r) => CertificateRequest13Codec.decode(r))],
  ['ClientKeyExchange', (b) => decodeMessage({ type: 16, body: b }, (r) => ClientKeyExchangeCodec.decode(r, b.length % 3 === 0 ? 'ECDHE' : b.length % 3 === 1 ? 'DHE' : 'RSA'))],
  ['CertificateVerify', (b) => decodeMessage({ type: 15, body: b }, (r) => CertificateVerifyCodec.decode(r))],
  ['NewSessionTicket 1.2', (b) => decodeMessage({ type: 4, body: b }, (r) => NewSessionTicket12Codec.decode(r))],
  ['NewSessionTicket 1.3', (b) => decodeMessage({ type: 4, body: b }, (r) => NewSessionTicket13Codec.decode(r))],
  ['EncryptedExtensions', (b) => decodeMessage({ type: 8, body: b }, (r) => EncryptedExtensionsCodec.decode(r))],
  ['KeyUpdate', (b) => decodeMessage({ type: 24, body: b }, (r) => KeyUpdateCodec.decode(r))],
  ['server_name', (b) => serverName.decode(b)],
  ['supported_groups', (b) => u16List.decode(b, 'supported_groups')],
  ['ec_point_formats', (b) => ecPointFormats.decode(b)],
  ['alpn', (b) => alpn.decode(b)],
  ['supported_versions client', (b) => supportedVersions.decodeClient(b)],
  ['supported_versions server', (b) => supportedVersions.decodeServer(b)],
  ['key_share client', (b) => keyShare.decodeClient(b)],
  ['key_share server', (b) => keyShare.decodeServer(b)],
  ['key_share retry', (b) => keyShare.decodeRetry(b)],
  ['psk_key_exchange_modes', (b) => pskModes.decode(b)],
  ['pre_shared_key client', (b) => preSharedKey.decodeClient(b)],
  ['pre_shared_key server', (b) => preSharedKey.decodeServer(b)],
  ['early_data', (b) => earlyData.decodeTicket(b)],
  ['cookie', (b) => cookie.decode(b)],
  ['renegotiation_info', (b) => renegotiationInfo.decode(b)],
  ['Reader walk', (b) => walkReader(b)],
];

/** The Reader's own API driven over arbitrary bytes. */
function walkReader(b: Uint8Array): void {
  const r = new Reader(b);
  const subs = [r];
  for (let i = 0; i < 16 && subs.length > 0; i++) {
    const x = subs[subs.length - 1]!;
    if (x.atEnd()) {
      subs.pop();
      continue;
    }
    const k = (b[i % b.length] ?? 0) % 5;
    if (k === 0) subs.push(x.sub8());
    else if (k === 1) subs.push(x.sub16());
    else if (k === 2) x.vec24();
    else if (k === 3) x.list16of16('list');
    else x.u32();
  }
}

/** What may come out of parsing certificate bytes, and what parsed certificates must survive. */
function certificateChecks(der: Uint8Array, caPem: string): string[] {
  const out: string[] = [];
  let cert: Certificate | undefined;
  try {
    cert = Certificate.fromDer(der);
  } catch (e) {
    if (!isX509(e)) out.push(`Certificate.fromDer threw ${describeError(e)}`);
  }
  if (cert) {
    try {
      void cert.subjectString;
      void cert.issuerString;
      void cert.notBefore;
      void cert.notAfter;
      void cert.subjectAltNames;
      cert.subjectRdns();
      cert.toPem();
    } catch (e) {
      if (!isX509(e)) out.push(`a parsed certificate's accessor threw ${describeError(e)}`);
    }
    try {
      toPeerCertificate([cert], true);
    } catch (e) {
      if (!isX509(e)) out.push(`toPeerCertificate threw ${describeError(e)}`);
    }
    try {
      verifyCertificateChainSync({ chain: [der], trustAnchors: caPem, hostname: 'localhost', time: FUZZ_NOW });
    } catch (e) {
      out.push(`verifyCertificateChainSync threw ${describeError(e)}`);
    }
  }
  try {
    summarizeCertificate(der);
  } catch (e) {
    out.push(`summarizeCertificate threw ${describeError(e)}`);
  }
  return out;
}

export function formatParserFailure(r: ParserCaseResult): string {
  return [
    `PARSER FUZZ FAILURE seed=${r.seed} case=${r.index} target=${r.target}`,
    `  mutation: ${r.detail}`,
    ...r.violations.map((v) => `  violation: ${v}`),
    `  replay: node dist/test/fuzz/campaign.js --target=parsers --seed=${r.seed} --case=${r.index}`,
    `  bytes (${r.bytes.length}): ${toHex(r.bytes)}`,
  ].join('\n');
}
