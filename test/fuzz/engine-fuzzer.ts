/**
 * Engine fuzz cases. A case is named by (seed, case number): its PRNG picks a
 * recorded scenario, a mode and the mutations, so the same pair gives the
 * same case (the bytes of key shares and randomised signatures in the corpus
 * may differ between processes; the structure and positions do not).
 *
 * Modes:
 * - replay-server / replay-client: what one side sent in the recording,
 *   mutated as a stream, fed in random chunks into a FRESH engine of the other
 *   side (same stage, so it can decrypt and verify what it is sent);
 * - wire: a live pair, one or two writes of one side mutated in flight;
 * - message: a live pair, one handshake message mutated before the sender
 *   frames and protects it (so encrypted TLS 1.3 messages get fuzzed too; the
 *   sender's transcript holds the mutated bytes, so the peer's checks after
 *   parsing still pass);
 * - inject: a live pair after the handshake, one side sends protected records
 *   of any content type holding hostile content (KeyUpdate, tickets,
 *   renegotiation, alerts, CCS, fragments...);
 * - fragment: no mutation, one side's handshake messages cut into records of
 *   random sizes: valid input, so the run must succeed like the recording.
 *
 * Live pairs are wired through microtasks or (a quarter of them) synchronously,
 * with random chunking; ends read through receive(), receiveTransient() or with
 * adoptInput, sometimes with a tracer attached, and in mutation cases sometimes
 * act like an application from inside their sink callbacks.
 */
import { signatureAlgorithmOf } from '../../src/handshake/signatures.js';
import { frameHandshake, ServerKeyExchangeCodec } from '../../src/messages/handshake.js';
import { ContentType as CT, HandshakeType as HT } from '../../src/registry.js';
import { Reader } from '../../src/wire/reader.js';
import { certified } from '../helpers/pair.js';
import { Endpoint, checkEndpoint, describeError, internals, settle, type EndpointOptions, type InputMode, type RejectionTrap, type SideName } from './harness.js';
import { chunkSizes, mutateMessage, mutateStream, toHex } from './mutate.js';
import { Rng, mixSeed } from './prng.js';
import type { FieldContext } from './fields.js';
import { controlProblems, fieldContextOf, newClient, newServer, runLive, scriptBytes, type Recording } from './scenarios.js';

export type Mode = 'replay-server' | 'replay-client' | 'wire' | 'message' | 'inject' | 'fragment';

export interface CaseResult {
  readonly seed: number;
  readonly index: number;
  readonly scenario: string;
  readonly mode: Mode;
  /** Which side's bytes were mutated, and how. */
  readonly detail: string;
  /** The mutated bytes (stream, write, message or injected records). */
  readonly bytes: Uint8Array;
  readonly violations: readonly string[];
  /** How the case ended, per receiving side: 'waiting', 'complete', or the alert. */
  readonly outcome: string;
}

const other = (s: SideName): SideName => (s === 'client' ? 'server' : 'client');

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

/** Options for an end of a live pair in a mutation case: endpointOptions, and sometimes an application acting from its callbacks. */
function liveOptions(rng: Rng): EndpointOptions {
  const o = endpointOptions(rng);
  return rng.chance(0.3) ? { ...o, reactive: rng.fork() } : o;
}

function endpointOptions(rng: Rng): EndpointOptions {
  const inputMode = rng.weighted<InputMode>([
    [6, 'receive'],
    [2, 'transient'],
    [2, 'adopt'],
  ]);
  const tracer = rng.weighted<'text' | 'json' | undefined>([
    [7, undefined],
    [2, 'text'],
    [1, 'json'],
  ]);
  return { inputMode, tracer };
}

function outcomeOf(ep: Endpoint): string {
  const e = ep.error;
  if (e !== undefined) {
    const alert = (e as { alert?: { name: string; direction: string } }).alert;
    return alert ? `${alert.direction === 'sent' ? 'sent' : 'got'} ${alert.name}` : `error ${(e as { code?: string }).code ?? ''}`;
  }
  if (ep.handshakes > 0) return ep.conn.closeNotifyReceived ? 'closed' : 'complete';
  return 'waiting';
}

export class EngineFuzzer {
  constructor(
    readonly recordings: readonly Recording[],
    private readonly trap: RejectionTrap,
  ) {}

  async runCase(seed: number, index: number): Promise<CaseResult> {
    const rng = new Rng(mixSeed(seed, index));
    const rec = rng.pick(this.recordings);
    const mode = rng.weighted<Mode>([
      [5, 'replay-server'],
      [5, 'replay-client'],
      [3, 'wire'],
      [6, 'message'],
      [2, 'inject'],
      [1, 'fragment'],
    ]);
    this.trap.take();
    let r: Omit<CaseResult, 'seed' | 'index' | 'scenario' | 'mode' | 'violations'> & { violations: string[] };
    try {
      if (mode === 'replay-server' || mode === 'replay-client') r = await this.replay(rng, rec, mode === 'replay-server' ? 'server' : 'client');
      else if (mode === 'wire') r = await this.wireCase(rng, rec);
      else if (mode === 'message') r = await this.messageCase(rng, rec);
      else if (mode === 'fragment') r = await this.fragmentCase(rng, rec);
      else r = await this.injectCase(rng, rec);
    } catch (e) {
      r = { detail: 'harness', bytes: new Uint8Array(0), violations: [`the case threw ${describeError(e)}`], outcome: 'harness error' };
    }
    for (const u of this.trap.take()) r.violations.push(`unhandled rejection: ${u}`);
    return { seed, index, scenario: rec.state.scenario.name, mode, ...r };
  }

  /** The recorded stream of `into`'s peer, mutated, into a fresh `into`. */
  private async replay(rng: Rng, rec: Recording, into: SideName) {
    const from = other(into);
    const writes = rec.writes[from];
    // Sometimes only the first flights: the mutations then land on the handshake.
    const upto = rng.chance(0.3) ? rng.range(1, writes.length) : writes.length;
    const original = concat(writes.slice(0, upto));
    const m = mutateStream(rng, original, undefined, fieldContextOf(rec.state.scenario));
    const ep = into === 'server' ? newServer(rec.state, 'main', endpointOptions(rng)) : newClient(rec.state, 'main', endpointOptions(rng));
    ep.start();
    await settle([ep], 20);
    // Flights arrive apart (sometimes), each in random chunks.
    const bounds: number[] = [];
    let acc = 0;
    for (const w of writes.slice(0, upto)) bounds.push((acc += w.length));
    const sizes = chunkSizes(rng, m.bytes.length);
    const yieldAtBounds = rng.chance(0.5);
    let off = 0;
    let nextBound = 0;
    for (const n of sizes) {
      ep.feed(m.bytes.subarray(off, off + n));
      off += n;
      if (yieldAtBounds && nextBound < bounds.length && off >= bounds[nextBound]!) {
        while (nextBound < bounds.length && off >= bounds[nextBound]!) nextBound++;
        await settle([ep], 20);
      }
    }
    if (rng.chance(0.2)) {
      await settle([ep], 20);
      ep.feedEof();
    }
    await settle([ep], 60);
    return {
      detail: `${from} stream (${upto}/${writes.length} writes) ${m.applied.join('+')}`,
      bytes: m.bytes,
      violations: checkEndpoint(ep).map((v) => `${into}: ${v}`),
      outcome: `${into} ${outcomeOf(ep)}`,
    };
  }

  /**
   * Both ends through the oracle, and one rule between them: a fatal alert
   * that reached the peer unmodified ends the peer too (unless it had
   * already seen close_notify, after which data is ignored).
   */
  private finish(rec: Recording, client: Endpoint, server: Endpoint, detail: string, bytes: Uint8Array, tampered?: { side: SideName; writes: ReadonlySet<number> }, consistent = true) {
    const violations = [...checkEndpoint(client).map((v) => `client: ${v}`), ...checkEndpoint(server).map((v) => `server: ${v}`)];
    for (const [a, b] of [[client, server], [server, client]] as const) {
      const alert = (a.error as { alert?: { name: string; direction: string } } | undefined)?.alert;
      if (alert?.direction !== 'sent' || a.writesAtFail < 0 || a.writes.length <= a.writesAtFail) continue;
      if (tampered?.side === a.side && tampered.writes.has(a.writesAtFail)) continue;
      // RFC 5246 §7.2.2: no_renegotiation is a warning; the refusing side closes, the peer may carry on.
      if (alert.name === 'no_renegotiation' && a.conn.negotiatedVersion === 'TLSv1.2') continue;
      // A client that fails while its write keys are the 0-RTT keys sends its alert under them; a server
      // that rejects the early data skips what it cannot decrypt (RFC 8446 §4.2.10), that alert included.
      if (a.side === 'client' && a.handshakes === 0 && rejectsEarlyData(rec)) continue;
      // A mutated record length can leave the peer inside a record that swallows the alert: it is still waiting.
      const pending = internals(b.conn);
      if (pending.inbuf.length + pending.intail.length > 0) continue;
      if (b.error === undefined && !b.conn.isClosed && !b.conn.closeNotifyReceived) {
        violations.push(`${b.side}: ignored the fatal alert ${alert.name} the ${a.side} sent (${b.handshakes > 0 ? 'after' : 'during'} the handshake)`);
      }
    }
    // Both ends done, neither failed: whatever was mutated on the wire was harmless, so the two must agree
    // on what they negotiated and every byte the script sent must have arrived. (Not for message mode: there
    // the sender itself sends and hashes the mutated message, so the two may legitimately differ.)
    if (consistent && client.error === undefined && server.error === undefined && client.handshakes === 1 && server.handshakes === 1) {
      const c = client.conn.summary!;
      const s = server.conn.summary!;
      const agree = (what: string, x: unknown, y: unknown): void => {
        if (x !== y) violations.push(`both completed but disagree on ${what}: client ${String(x)}, server ${String(y)}`);
      };
      agree('version', c.version, s.version);
      agree('cipher suite', c.cipherSuite.id, s.cipherSuite.id);
      agree('resumption', c.resumed, s.resumed);
      agree('ALPN', c.alpnProtocol, s.alpnProtocol);
      agree('extended master secret', c.extendedMasterSecret, s.extendedMasterSecret);
      agree('early data', c.earlyDataAccepted, s.earlyDataAccepted);
      // (Unless an application callback closed early: the rest of the script then never ran.)
      const closedEarly = [client, server].some((ep) => ep.reactionLog.some((r) => r.endsWith('->close')));
      if (client.conn.closeNotifyReceived && server.conn.closeNotifyReceived && !closedEarly) {
        const sc = rec.state.scenario;
        if (server.dataBytes + server.earlyBytes < scriptBytes(sc, 'client')) violations.push(`server: ${server.dataBytes} of ${scriptBytes(sc, 'client')} bytes arrived, yet no error`);
        if (client.dataBytes < scriptBytes(sc, 'server')) violations.push(`client: ${client.dataBytes} of ${scriptBytes(sc, 'server')} bytes arrived, yet no error`);
      }
    }
    return { detail, bytes, violations, outcome: `client ${outcomeOf(client)}, server ${outcomeOf(server)}` };
  }

  /**
   * No mutation: one side's handshake messages cut into records of random
   * sizes (RFC 8446 §5.1 and RFC 5246 §6.2.1 allow any fragmentation), with
   * random chunking on the wire. The run must go exactly as the recording did.
   */
  private async fragmentCase(rng: Rng, rec: Recording) {
    const from: SideName = rng.chance(0.5) ? 'client' : 'server';
    const frng = rng.fork();
    const cuts: string[] = [];
    const run = await runLive(rec.state, {
      client: { ...endpointOptions(rng), keepData: true },
      server: { ...endpointOptions(rng), keepData: true },
      wiring: { chunkRng: rng.fork(), synchronous: rng.chance(0.25) },
      setup: (client, server) => {
        const conn = (from === 'client' ? client : server).conn;
        conn.sendHandshake = (type: number, body: Uint8Array): Uint8Array => {
          const raw = frameHandshake(type, body);
          const pieces = fragments(frng, raw);
          cuts.push(`${type}:${pieces.map((p) => p.length).join('+')}`);
          for (const p of pieces) internals(conn).queueRecords(CT.handshake, p);
          return raw;
        };
      },
    });
    const r = this.finish(rec, run.client, run.server, `${from} messages in fragments ${cuts.join(' ')}`, new Uint8Array(0));
    for (const p of controlProblems(rec.state.scenario, run)) if (!r.violations.includes(p)) r.violations.push(`valid fragmentation failed: ${p}`);
    return r;
  }

  /** A live pair; one (or two) writes of one side mutated on the way. */
  private async wireCase(rng: Rng, rec: Recording) {
    const from: SideName = rng.chance(0.5) ? 'client' : 'server';
    const count = rec.writes[from].length;
    const targets = new Set([rng.int(count)]);
    if (rng.chance(0.2)) targets.add(rng.int(count));
    const mutated: Uint8Array[] = [];
    const applied: string[] = [];
    const mrng = rng.fork();
    const run = await runLive(rec.state, {
      client: liveOptions(rng),
      server: liveOptions(rng),
      wiring: {
        chunkRng: rng.fork(),
        synchronous: rng.chance(0.25),
        tamper: (side, i, bytes) => {
          if (side !== from || !targets.has(i)) return bytes;
          const m = mutateStream(mrng, bytes, undefined, fieldContextOf(rec.state.scenario));
          mutated.push(m.bytes);
          applied.push(`#${i} ${m.applied.join('+')}`);
          return m.bytes;
        },
      },
    });
    return this.finish(rec, run.client, run.server, `${from} writes ${applied.join(', ') || `(none of ${[...targets].join(',')} happened)`}`, concat(mutated), { side: from, writes: targets });
  }

  /** A live pair; one handshake message of one side mutated before it is framed and protected. */
  private async messageCase(rng: Rng, rec: Recording) {
    const from: SideName = rng.chance(0.5) ? 'client' : 'server';
    const target = rng.int(rec.messages[from].length);
    const mrng = rng.fork();
    let detail = `${from} message #${target} not sent`;
    let bytes: Uint8Array = new Uint8Array(0);
    const run = await runLive(rec.state, {
      client: liveOptions(rng),
      server: liveOptions(rng),
      wiring: { chunkRng: rng.fork(), synchronous: rng.chance(0.25) },
      setup: (client, server) => {
        const conn = (from === 'client' ? client : server).conn;
        let n = 0;
        // The randoms, for re-signing a mutated TLS 1.2 ServerKeyExchange (a hostile server signs what it sends).
        const randoms = { client: new Uint8Array(32), server: new Uint8Array(32) };
        const observe = (side: SideName, c: typeof conn): void => {
          const send = c.sendHandshake.bind(c);
          c.sendHandshake = (type: number, body: Uint8Array): Uint8Array => {
            if ((type === HT.client_hello && side === 'client') || (type === HT.server_hello && side === 'server')) randoms[side] = body.slice(2, 34);
            return send(type, body);
          };
        };
        observe('client', client.conn);
        observe('server', server.conn);
        const sendOriginal = conn.sendHandshake.bind(conn);
        conn.sendHandshake = (type: number, body: Uint8Array): Uint8Array => {
          if (n++ !== target) return sendOriginal(type, body);
          const ctx = fieldContextOf(rec.state.scenario);
          let m = mutateMessage(mrng, frameHandshake(type, body), undefined, ctx);
          if (type === HT.server_key_exchange && m.bytes[0] === HT.server_key_exchange && (ctx.kx === 'ECDHE' || ctx.kx === 'DHE')) {
            const resigned = resignServerKeyExchange(m.bytes, ctx.kx, randoms.client, randoms.server);
            if (resigned) m = { bytes: resigned, applied: [...m.applied, 'resigned'] };
          }
          const pieces = m.bytes.length > 1 && mrng.chance(0.25) ? fragments(mrng, m.bytes) : [m.bytes];
          detail = `${from} message #${target} (type ${type}) ${m.applied.join('+')}${pieces.length > 1 ? ` in records of ${pieces.map((p) => p.length).join('+')}` : ''}`;
          bytes = m.bytes;
          for (const p of pieces) internals(conn).queueRecords(CT.handshake, p);
          return m.bytes;
        };
      },
    });
    return this.finish(rec, run.client, run.server, detail, bytes, undefined, false);
  }

  /** After the handshake, one side sends protected records with hostile content. */
  private async injectCase(rng: Rng, rec: Recording) {
    const from: SideName = rng.chance(0.5) ? 'client' : 'server';
    const at = rng.int(rec.state.scenario.script.length + 1);
    const mrng = rng.fork();
    const sent: Uint8Array[] = [];
    const kinds: string[] = [];
    const peerMessages = rec.messages[from];
    const run = await runLive(rec.state, {
      client: liveOptions(rng),
      server: liveOptions(rng),
      wiring: { chunkRng: rng.fork(), synchronous: rng.chance(0.25) },
      beforeStep: (i, client, server) => {
        if (i !== at) return;
        const ep = from === 'client' ? client : server;
        if (ep.handshakes === 0 || ep.conn.isClosed || ep.conn.closeNotifySent) return;
        for (let k = mrng.range(1, 3); k > 0; k--) {
          // A synchronously wired peer may already have answered the previous record with an alert.
          if (ep.conn.isClosed) break;
          const { type, data, name } = hostileRecord(mrng, peerMessages, fieldContextOf(rec.state.scenario));
          kinds.push(name);
          sent.push(data);
          try {
            internals(ep.conn).queueRecords(type, data);
            ep.conn.flush();
          } catch (e) {
            ep.violation(`injecting threw ${describeError(e)}`);
          }
        }
      },
    });
    return this.finish(rec, run.client, run.server, `${from} injected before step ${at}: ${kinds.join(', ') || 'nothing (closed)'}`, concat(sent));
  }
}

const signingKeys = new Map<string, ReturnType<typeof certified>['key']>();

/**
 * A mutated ServerKeyExchange signed again over its (mutated) params, with the
 * fixture key of the scheme it names: what a hostile but authenticated server
 * sends, so the client's checks after the signature (group, point, DH p and g)
 * get fuzzed too. Undefined when the mutated message no longer parses.
 */
function resignServerKeyExchange(raw: Uint8Array, kx: 'ECDHE' | 'DHE', clientRandom: Uint8Array, serverRandom: Uint8Array): Uint8Array | undefined {
  let ske: ReturnType<typeof ServerKeyExchangeCodec.decode>;
  try {
    ske = ServerKeyExchangeCodec.decode(new Reader(raw, 4), kx);
  } catch {
    return undefined;
  }
  const alg = signatureAlgorithmOf(ske.signatureScheme);
  const keyName = alg === undefined ? undefined : alg.kind === 'ecdsa' ? (alg.hash === 'sha384' ? 'server-p384' : 'server-p256') : alg.kind.startsWith('rsa') ? 'server-rsa' : undefined;
  if (alg === undefined || keyName === undefined) return undefined;
  const signed = new Uint8Array(64 + ske.rawParams.length);
  signed.set(clientRandom, 0);
  signed.set(serverRandom, 32);
  signed.set(ske.rawParams, 64);
  let key = signingKeys.get(keyName);
  if (!key) signingKeys.set(keyName, (key = certified(keyName).key));
  const signature = key.signSync!(alg, signed);
  return frameHandshake(HT.server_key_exchange, ServerKeyExchangeCodec.encode(ske.rawParams, ske.signatureScheme, signature));
}

/** Scenarios where the client sends 0-RTT data (which a server may reject, and then skip: a mutated hello can make it). */
function rejectsEarlyData(rec: Recording): boolean {
  return rec.state.scenario.name.includes('0rtt');
}

/** `b` cut into 1..6 non-empty pieces (mostly small ones: headers get cut too). */
function fragments(rng: Rng, b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  for (let k = rng.range(1, 6); k > 1 && off < b.length - 1; k--) {
    const n = Math.min(rng.chance(0.5) ? rng.range(1, 5) : rng.range(1, b.length - off - 1), b.length - off - 1);
    out.push(b.subarray(off, off + n));
    off += n;
  }
  out.push(b.subarray(off));
  return out;
}

/** Content for one protected record: templates of everything a peer may send after the handshake, often mutated. */
export function hostileRecord(rng: Rng, messages: readonly Uint8Array[], ctx: FieldContext = {}): { type: number; data: Uint8Array; name: string } {
  const hs = (t: number, body: number[] | Uint8Array): Uint8Array => frameHandshake(t, body instanceof Uint8Array ? body : Uint8Array.from(body));
  const pick = rng.weighted<() => { type: number; data: Uint8Array; name: string }>([
    [4, () => ({ type: CT.handshake, data: hs(HT.key_update, [rng.pick([0, 1, 1, 2, 255])]), name: 'KeyUpdate' })],
    [3, () => ({ type: CT.handshake, data: messages.length > 0 ? rng.pick(messages) : hs(HT.finished, rng.bytes(32)), name: 'a handshake message again' })],
    [2, () => ({ type: CT.handshake, data: hs(HT.hello_request, []), name: 'HelloRequest' })],
    [2, () => ({ type: CT.handshake, data: hs(HT.new_session_ticket, rng.bytes(rng.range(0, 80))), name: 'random NewSessionTicket' })],
    [2, () => ({ type: CT.handshake, data: hs(rng.int(256), rng.bytes(rng.range(0, 16))), name: 'unknown handshake type' })],
    [2, () => ({ type: CT.handshake, data: hs(HT.key_update, [1]).subarray(0, rng.range(1, 4)), name: 'handshake fragment' })],
    [1, () => ({ type: CT.handshake, data: Uint8Array.of(HT.certificate, 0x01, 0x00, 0x01), name: 'oversized handshake header' })],
    [1, () => ({ type: CT.handshake, data: new Uint8Array(0), name: 'empty handshake record' })],
    [3, () => ({ type: CT.alert, data: Uint8Array.of(rng.pick([1, 2, 0, 3, 255]), rng.pick([0, 10, 20, 40, 42, 47, 50, 80, 90, 100, 109, 112, 255])), name: 'alert' })],
    [1, () => ({ type: CT.alert, data: rng.bytes(rng.pick([0, 1, 3, 4])), name: 'malformed alert' })],
    [2, () => ({ type: CT.change_cipher_spec, data: rng.chance(0.5) ? Uint8Array.of(1) : rng.bytes(rng.range(0, 3)), name: 'ChangeCipherSpec' })],
    [2, () => ({ type: CT.application_data, data: rng.chance(0.5) ? new Uint8Array(0) : rng.bytes(rng.range(1, 64)), name: 'application data' })],
    [2, () => ({ type: rng.pick([0, 19, 24, 25, 99, 255]), data: rng.bytes(rng.range(0, 8)), name: 'unknown content type' })],
  ]);
  const r = pick();
  if (r.type === CT.handshake && r.data.length >= 4 && rng.chance(0.4)) {
    const m = mutateMessage(rng, r.data, undefined, ctx);
    return { type: r.type, data: m.bytes, name: `${r.name} (${m.applied.join('+')})` };
  }
  return r;
}

/** One line per failing case, enough to replay it. */
export function formatFailure(r: CaseResult): string {
  const hex = toHex(r.bytes);
  return [
    `FUZZ FAILURE seed=${r.seed} case=${r.index} scenario=${r.scenario} mode=${r.mode}`,
    `  mutation: ${r.detail}`,
    `  outcome: ${r.outcome}`,
    ...r.violations.map((v) => `  violation: ${v}`),
    `  replay: node dist/test/fuzz/campaign.js --seed=${r.seed} --case=${r.index}`,
    `  bytes (${r.bytes.length}): ${hex.length > 20000 ? hex.slice(0, 20000) + '…' : hex}`,
  ].join('\n');
}
