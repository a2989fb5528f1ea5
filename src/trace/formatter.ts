/**
 * The tracer: turns a connection's {@link TraceEvent}s into a readable
 * Wireshark-style tree (text) or JSON lines.
 *
 * One {@link TraceFormatter} per connection consumes the events in order and
 * tracks what the decoding depends on: the side (from who sent ClientHello),
 * the version and key exchange (from ServerHello), and the flights and round
 * trips (a flight is a run of handshake messages in one direction; a round trip
 * starts with each client flight).
 *
 * Text output groups a record with its content the way Wireshark nests them.
 * The engine reports a sent message before the record that carries it and a
 * received record before the message decrypted from it, so the text formatter
 * holds one item until its partner arrives (at most until the next event, or
 * {@link TraceFormatter.flush}). JSON output writes one object per event as it comes.
 *
 *   const tracer = createTracer({ format: 'text', write: (l) => process.stderr.write(l + '\n') });
 *   const conn = createClientConnection(clientConfig({ trace: true, ... }), { ..., trace: tracer.onEvent });
 */
import type { TraceEvent } from '../connection.js';
import {
  ContentType,
  HandshakeType,
  alertName,
  contentTypeName,
  type KeyExchangeKind,
  type VersionName,
} from '../registry.js';
import { ANSI, PLAIN, type Palette } from './color.js';
import { decodeHandshakeMessage, kxOfSuite, type DecodedMessage, type MessageContext } from './decode.js';
import { explainAlert, explainApplicationData, explainChangeCipherSpec, explainHandshake } from './explain.js';
import { alertLevelTitle, alertTitle, camelName, contentTypeTitle, versionShortName, versionValue } from './names.js';
import { bytesField, field, group, nodeLine, nodeToJson, note, toHex, type TraceNode } from './tree.js';

export interface TracerOptions {
  /** 'text' (default): indented Wireshark-style tree; 'json': one JSON object per event and line. */
  readonly format?: 'text' | 'json';
  /** Add one plain sentence per message saying what it is for. */
  readonly explain?: boolean;
  /** ANSI colours (text only). Default off; see useColor() to decide from a stream. */
  readonly color?: boolean;
  /** Receives each output line, without a trailing newline. */
  readonly write: (line: string) => void;
  /** Prefix for every text line ("[client] ") and a field in every JSON object. */
  readonly label?: string;
  /** Text: print hex values in full instead of shortened ("5f3a…c9e1"). */
  readonly fullHex?: boolean;
  /** Which side the events come from; inferred from who sends ClientHello when absent. */
  readonly side?: 'client' | 'server';
}

export interface Tracer {
  /** Feed one event (bound: `sink.trace = tracer.onEvent` works). Never throws. */
  readonly onEvent: (e: TraceEvent) => void;
  /** Write anything held back waiting for its record or content (call when the connection ends). */
  readonly flush: () => void;
  /** What the tracer has learnt about the connection so far. */
  readonly state: Readonly<TraceState>;
}

/** The connection as the tracer sees it. */
export interface TraceState {
  side: 'client' | 'server' | undefined;
  version: VersionName | undefined;
  cipherSuite: number | undefined;
  kx: KeyExchangeKind | undefined;
  helloRetry: boolean;
  /** Current flight number (0 before the first handshake message). */
  flight: number;
  /** Current round trip (0 before the first handshake message). */
  rtt: number;
  flightDirection: 'sent' | 'received' | undefined;
}

type Direction = 'sent' | 'received';

/** A content event (handshake message, CCS, alert, application data) with what the tracer made of it. */
interface Content {
  readonly event: TraceEvent;
  readonly contentType: number;
  readonly node: TraceNode;
  /** Short name for headers: "ClientHello", "ChangeCipherSpec". */
  readonly short: string;
  readonly explain: string | undefined;
  /** Set when this message or CCS starts a new flight. */
  readonly newFlight: { readonly flight: number; readonly rtt: number } | undefined;
  readonly flight: number | undefined;
  readonly rtt: number | undefined;
  readonly decoded?: DecodedMessage;
  readonly version: VersionName | undefined;
}

/** A record event with its wire view. */
interface RecordView {
  readonly event: TraceEvent;
  readonly outerType: number;
  readonly recordVersion: number;
  readonly length: number;
  readonly encrypted: boolean;
  /** TLS 1.3 protected record: outer type is always application_data. */
  readonly opaque: boolean;
  /** "TLSv1.2": the version known before this record's content was decoded. */
  readonly prefix: string;
  readonly payload: Uint8Array;
}

const RECORD_INDENT = 2;
const STEP = 4;

export class TraceFormatter implements Tracer {
  readonly state: TraceState;
  private readonly opts: TracerOptions;
  private readonly c: Palette;
  private seq = 0;
  /** Text: sent content waiting for its record, with the version known before it. */
  private sentPending: Content[] = [];
  private sentPendingPrefixVersion: VersionName | undefined;
  /** Text: a received record waiting for its decrypted content. */
  private heldRecord: RecordView | undefined;
  private sawClientHello = false;

  constructor(opts: TracerOptions) {
    this.opts = opts;
    this.c = opts.color === true && opts.format !== 'json' ? ANSI : PLAIN;
    this.state = {
      side: opts.side,
      version: undefined,
      cipherSuite: undefined,
      kx: undefined,
      helloRetry: false,
      flight: 0,
      rtt: 0,
      flightDirection: undefined,
    };
  }

  readonly onEvent = (e: TraceEvent): void => {
    try {
      this.handle(e);
    } catch (err) {
      // A tracer must never break the connection it watches.
      this.emit(`[trace error: ${err instanceof Error ? err.message : String(err)}]`);
    }
  };

  readonly flush = (): void => {
    if (this.opts.format === 'json') return;
    this.flushSent();
    this.flushHeld();
  };

  // ------------------------------------------------------------ analysis (both formats)

  private handle(e: TraceEvent): void {
    this.seq++;
    if (e.kind === 'record') {
      const view = this.recordView(e);
      if (this.opts.format === 'json') return this.jsonRecord(view);
      return this.textRecord(view);
    }
    if (e.kind === 'note') {
      if (this.opts.format === 'json') return this.json({ kind: 'note', direction: e.direction, note: e.note ?? '' });
      this.flush();
      return this.emit(this.c.dim(`${' '.repeat(RECORD_INDENT)}[${e.note ?? ''}]`));
    }
    const prefixVersion = this.versionOf(e);
    const content = this.analyze(e);
    if (content === undefined) return;
    if (this.opts.format === 'json') return this.jsonContent(content);
    this.textContent(content, prefixVersion);
  }

  /**
   * The negotiated version as far as this point of the trace goes. Once the
   * tracer has seen the hellos it trusts its own tracking (the engine's
   * `version` is already set on a server's outgoing ServerHello, whose record
   * Wireshark still labels with the version known before it); a trace that
   * starts mid-connection falls back to the event's.
   */
  private versionOf(e: TraceEvent): VersionName | undefined {
    return this.sawClientHello ? this.state.version : (this.state.version ?? e.version);
  }

  private recordView(e: TraceEvent): RecordView {
    const rec = e.record ?? new Uint8Array(0);
    const outerType = rec.length > 0 ? rec[0]! : (e.contentType ?? 0);
    const recordVersion = rec.length >= 3 ? (rec[1]! << 8) | rec[2]! : 0;
    const length = rec.length >= 5 ? (rec[3]! << 8) | rec[4]! : (e.length ?? 0);
    const encrypted = e.encrypted === true;
    const version = this.versionOf(e);
    const opaque = encrypted && (version === 'TLSv1.3' || (outerType === ContentType.application_data && e.contentType !== undefined && e.contentType !== outerType));
    let prefixVersion = version;
    if (e.direction === 'sent' && this.sentPending.length > 0) prefixVersion = this.sentPendingPrefixVersion;
    const prefix = prefixVersion ?? versionShortName(recordVersion);
    return { event: e, outerType, recordVersion, length, encrypted, opaque, prefix, payload: rec.subarray(5) };
  }

  /** Decode a content event and advance the connection state (side, version, flights). */
  private analyze(e: TraceEvent): Content | undefined {
    const st = this.state;
    switch (e.kind) {
      case 'handshake': {
        if (!e.message) return undefined;
        const ctx: MessageContext = { version: this.versionOf(e), kx: st.kx };
        const d = decodeHandshakeMessage(e.message, ctx);
        if (d.type === HandshakeType.client_hello) {
          this.sawClientHello = true;
          st.side ??= e.direction === 'sent' ? 'client' : 'server';
        }
        if (d.selected) {
          st.cipherSuite = d.selected.cipherSuite;
          st.kx = kxOfSuite(d.selected.cipherSuite);
          st.helloRetry = d.selected.helloRetry;
          st.version = d.selected.helloRetry ? 'TLSv1.3' : (d.selected.version ?? st.version);
        }
        const f = this.advanceFlight(e.direction);
        const explain = this.opts.explain
          ? explainHandshake(d.type, { version: st.version, kx: st.kx, helloRetry: d.selected?.helloRetry === true })
          : undefined;
        return {
          event: e,
          contentType: ContentType.handshake,
          node: d.node,
          short: camelName(d.name),
          explain,
          newFlight: f.isNew ? { flight: f.flight, rtt: f.rtt } : undefined,
          flight: f.flight,
          rtt: f.rtt,
          decoded: d,
          version: st.version,
        };
      }
      case 'change_cipher_spec': {
        const f = this.advanceFlight(e.direction);
        const version = this.versionOf(e);
        return {
          event: e,
          contentType: ContentType.change_cipher_spec,
          node: { name: 'Change Cipher Spec Message' },
          short: 'ChangeCipherSpec',
          explain: this.opts.explain ? explainChangeCipherSpec(version) : undefined,
          newFlight: f.isNew ? { flight: f.flight, rtt: f.rtt } : undefined,
          flight: f.flight,
          rtt: f.rtt,
          version,
        };
      }
      case 'alert': {
        const level = e.alert?.level ?? 0;
        const description = e.alert?.description ?? 0;
        return {
          event: e,
          contentType: ContentType.alert,
          node: group('Alert Message', [
            field('Level', `${alertLevelTitle(level)} (${level})`),
            field('Description', `${alertTitle(description)} (${description})`),
          ]),
          short: 'Alert',
          explain: this.opts.explain ? explainAlert(level, description) : undefined,
          newFlight: undefined,
          flight: undefined,
          rtt: undefined,
          version: this.versionOf(e),
        };
      }
      case 'application_data':
        return {
          event: e,
          contentType: ContentType.application_data,
          node: note('Decrypted Application Data', `${e.length ?? 0} bytes`),
          short: 'ApplicationData',
          explain: this.opts.explain ? explainApplicationData() : undefined,
          newFlight: undefined,
          flight: undefined,
          rtt: undefined,
          version: this.versionOf(e),
        };
      default:
        return undefined;
    }
  }

  private advanceFlight(dir: Direction): { flight: number; rtt: number; isNew: boolean } {
    const st = this.state;
    if (st.flightDirection === dir) return { flight: st.flight, rtt: st.rtt, isNew: false };
    st.flight++;
    st.flightDirection = dir;
    const clientDir: Direction | undefined = st.side === 'client' ? 'sent' : st.side === 'server' ? 'received' : undefined;
    if (clientDir === undefined) st.rtt = Math.ceil(st.flight / 2);
    else if (dir === clientDir || st.rtt === 0) st.rtt++;
    return { flight: st.flight, rtt: st.rtt, isNew: true };
  }

  // ------------------------------------------------------------ text

  private textContent(c: Content, prefixVersion: VersionName | undefined): void {
    if (c.event.direction === 'sent') {
      this.flushHeld();
      if (this.sentPending.length === 0) this.sentPendingPrefixVersion = prefixVersion;
      this.sentPending.push(c);
      return;
    }
    this.flushSent();
    const rec = this.heldRecord;
    this.heldRecord = undefined;
    this.block(rec, [c]);
  }

  private textRecord(r: RecordView): void {
    if (r.event.direction === 'sent') {
      this.flushHeld();
      const contents = this.sentPending;
      this.sentPending = [];
      this.block(r, contents);
      return;
    }
    this.flushSent();
    this.flushHeld();
    this.heldRecord = r;
  }

  private flushSent(): void {
    if (this.sentPending.length === 0) return;
    const contents = this.sentPending;
    this.sentPending = [];
    this.block(undefined, contents);
  }

  private flushHeld(): void {
    const r = this.heldRecord;
    if (r === undefined) return;
    this.heldRecord = undefined;
    this.block(r, []);
  }

  /** Print a record (if any) with the content that travelled in it, under its flight's header. */
  private block(r: RecordView | undefined, contents: readonly Content[]): void {
    const c = this.c;
    const dir = (r?.event.direction ?? contents[0]?.event.direction) as Direction;
    const arrow = dir === 'sent' ? '→' : '←';
    const colorDir = dir === 'sent' ? c.green : c.magenta;
    const starts = contents.find((x) => x.newFlight !== undefined);
    if (starts?.newFlight) {
      this.emit(c.bold(colorDir(`${arrow} Flight ${starts.newFlight.flight} (RTT ${starts.newFlight.rtt}): ${starts.short}`)));
    } else if (contents.length > 0 && contents[0]!.flight === undefined) {
      const first = contents[0]!;
      if (first.contentType === ContentType.alert) {
        const a = first.event.alert ?? { level: 0, description: 0 };
        const text = `${arrow} Alert (Level: ${alertLevelTitle(a.level)}, Description: ${alertTitle(a.description)})`;
        this.emit(c.bold(a.level === 2 ? c.red(text) : c.yellow(text)));
      } else {
        this.emit(c.bold(colorDir(`${arrow} Application Data (${first.event.length ?? 0} bytes)`)));
      }
    }
    let depth: number;
    if (r) {
      this.emit(c.cyan(`${' '.repeat(RECORD_INDENT)}${r.prefix} Record Layer: ${this.protocolDescription(r, contents)}`));
      const inner = RECORD_INDENT + STEP;
      for (const n of this.recordFields(r, contents)) this.tree(n, inner);
      depth = inner;
    } else {
      depth = RECORD_INDENT;
    }
    for (const x of contents) this.contentTree(x, depth);
  }

  private protocolDescription(r: RecordView, contents: readonly Content[]): string {
    const innerType = contents[0]?.contentType ?? (r.opaque ? undefined : r.outerType);
    switch (innerType) {
      case ContentType.handshake: {
        const hs = contents.filter((x) => x.contentType === ContentType.handshake);
        if (hs.length > 1 || (!r.encrypted && countMessages(r.payload) > 1)) return 'Handshake Protocol: Multiple Handshake Messages';
        if (hs.length === 1) return `Handshake Protocol: ${hs[0]!.decoded?.title ?? 'Unknown'}`;
        return r.encrypted ? 'Handshake Protocol: Encrypted Handshake Message' : 'Handshake Protocol: Fragment';
      }
      case ContentType.change_cipher_spec:
        return 'Change Cipher Spec Protocol: Change Cipher Spec';
      case ContentType.alert: {
        const a = contents[0]?.event.alert;
        return a ? `Alert (Level: ${alertLevelTitle(a.level)}, Description: ${alertTitle(a.description)})` : 'Encrypted Alert';
      }
      default:
        return 'Application Data Protocol: Application Data';
    }
  }

  /** The record header fields, (TLS 1.3) the decrypted content type, and the encrypted payload. */
  private recordFields(r: RecordView, contents: readonly Content[]): TraceNode[] {
    const out: TraceNode[] = [];
    out.push(
      field(r.opaque ? 'Opaque Type' : 'Content Type', `${contentTypeTitle(r.outerType)} (${r.outerType})`),
      field('Version', versionValue(r.recordVersion)),
      field('Length', r.length),
    );
    if (r.opaque && contents.length > 0) {
      const t = contents[0]!.contentType;
      out.push(note('Content Type', `${contentTypeTitle(t)} (${t})`));
    }
    if (r.encrypted) {
      const what =
        r.opaque || r.outerType === ContentType.application_data
          ? 'Encrypted Application Data'
          : r.outerType === ContentType.handshake
            ? 'Encrypted Handshake Message'
            : r.outerType === ContentType.alert
              ? 'Encrypted Alert'
              : 'Encrypted Data';
      out.push(bytesField(what, r.payload));
    }
    return out;
  }

  private contentTree(x: Content, indent: number): void {
    const c = this.c;
    const pad = ' '.repeat(indent);
    const line = nodeLine(x.node, this.opts.fullHex === true);
    this.emit(pad + (x.node.generated ? c.dim(line) : c.bold(line)));
    if (x.explain) this.emit(c.dim(c.italic(`${pad}${' '.repeat(STEP)}» ${x.explain}`)));
    for (const ch of x.node.children ?? []) this.tree(ch, indent + STEP);
  }

  private tree(n: TraceNode, indent: number): void {
    const line = nodeLine(n, this.opts.fullHex === true);
    this.emit(' '.repeat(indent) + (n.generated ? this.c.dim(line) : line));
    for (const ch of n.children ?? []) this.tree(ch, indent + STEP);
  }

  private emit(line: string): void {
    this.opts.write(this.opts.label !== undefined && this.opts.format !== 'json' ? `[${this.opts.label}] ${line}` : line);
  }

  // ------------------------------------------------------------ JSON

  private json(obj: Record<string, unknown>): void {
    const base: Record<string, unknown> = { seq: this.seq };
    if (this.opts.label !== undefined) base['label'] = this.opts.label;
    this.opts.write(JSON.stringify({ ...base, ...obj }));
  }

  private jsonRecord(r: RecordView): void {
    const e = r.event;
    const obj: Record<string, unknown> = {
      kind: 'record',
      direction: e.direction,
      contentType: r.outerType,
      contentTypeName: contentTypeName(r.outerType),
      encrypted: r.encrypted,
      recordVersion: versionValue(r.recordVersion),
      length: r.length,
      fields: this.recordFields(r, []).map(nodeToJson),
      hex: e.record ? toHex(e.record) : undefined,
    };
    if (e.direction === 'sent' && e.contentType !== undefined && e.contentType !== r.outerType) {
      obj['innerContentType'] = e.contentType;
      obj['innerContentTypeName'] = contentTypeName(e.contentType);
    }
    this.json(obj);
  }

  private jsonContent(x: Content): void {
    const e = x.event;
    const obj: Record<string, unknown> = { kind: e.kind, direction: e.direction };
    if (x.flight !== undefined) {
      obj['flight'] = x.flight;
      obj['rtt'] = x.rtt;
      if (x.newFlight) obj['newFlight'] = true;
    }
    obj['version'] = x.version ?? null;
    if (x.decoded) {
      obj['type'] = x.decoded.type;
      obj['name'] = x.decoded.name;
      obj['title'] = x.decoded.title;
      obj['length'] = x.decoded.length;
      if (e.message) obj['hex'] = toHex(e.message);
    }
    if (e.kind === 'alert' && e.alert) {
      obj['level'] = e.alert.level;
      obj['levelName'] = alertLevelTitle(e.alert.level).toLowerCase();
      obj['description'] = e.alert.description;
      obj['descriptionName'] = alertName(e.alert.description);
    }
    if (e.kind === 'application_data') obj['length'] = e.length ?? 0;
    obj['summary'] = nodeLine(x.node, false);
    obj['fields'] = (x.node.children ?? []).map(nodeToJson);
    if (x.explain) obj['explain'] = x.explain;
    this.json(obj);
  }
}

/** Handshake message headers in a plaintext record that starts at a message boundary. */
function countMessages(payload: Uint8Array): number {
  let n = 0;
  let off = 0;
  while (off + 4 <= payload.length) {
    n++;
    off += 4 + ((payload[off + 1]! << 16) | (payload[off + 2]! << 8) | payload[off + 3]!);
  }
  return n;
}

/** A tracer for one connection. */
export function createTracer(opts: TracerOptions): Tracer {
  return new TraceFormatter(opts);
}

/** Format one handshake message (header + body) as indented text, no colour. */
export function formatHandshakeMessage(
  raw: Uint8Array,
  ctx: MessageContext & { readonly explain?: boolean; readonly fullHex?: boolean; readonly indent?: number } = {},
): string {
  const d = decodeHandshakeMessage(raw, ctx);
  const lines: string[] = [];
  const walk = (n: TraceNode, indent: number): void => {
    lines.push(' '.repeat(indent) + nodeLine(n, ctx.fullHex === true));
    if (n === d.node && ctx.explain) {
      const s = explainHandshake(d.type, { version: ctx.version, kx: ctx.kx, helloRetry: d.selected?.helloRetry === true });
      if (s) lines.push(`${' '.repeat(indent + STEP)}» ${s}`);
    }
    for (const ch of n.children ?? []) walk(ch, indent + STEP);
  };
  walk(d.node, ctx.indent ?? 0);
  return lines.join('\n');
}
