/**
 * The tracer's decoded form: a tree of named fields, as Wireshark shows them.
 * The text formatter renders it indented (hex shortened); the JSON formatter
 * keeps it as data (hex in full).
 */

export interface TraceNode {
  /** Wireshark's field name, e.g. "Cipher Suite" or "Cipher Suites (2 suites)". */
  readonly name: string;
  /** Display value, e.g. "TLS_AES_128_GCM_SHA256 (0x1301)". */
  readonly value?: string;
  /** Raw bytes: shown shortened in text when there is no `value`, always in full in JSON. */
  readonly bytes?: Uint8Array;
  readonly children?: readonly TraceNode[];
  /** Not on the wire: computed by the tracer (Wireshark shows these in [brackets]). */
  readonly generated?: boolean;
}

/** The JSON shape of a node. */
export interface TraceNodeJson {
  name: string;
  value?: string;
  hex?: string;
  children?: TraceNodeJson[];
  generated?: true;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Bytes at each end shown by {@link shortHex}. */
export const HEX_EDGE_BYTES = 2;
/** Values up to this many bytes are shown in full. */
export const HEX_FULL_UP_TO = 8;

/**
 * The text formatter's shortening rule: up to 8 bytes in full, longer values as
 * the first and last two bytes around an ellipsis ("5f3a…c9e1"). The JSON
 * formatter always has the full hex.
 */
export function shortHex(b: Uint8Array): string {
  if (b.length <= HEX_FULL_UP_TO) return toHex(b);
  return `${toHex(b.subarray(0, HEX_EDGE_BYTES))}…${toHex(b.subarray(b.length - HEX_EDGE_BYTES))}`;
}

export function nodeToJson(n: TraceNode): TraceNodeJson {
  const out: TraceNodeJson = { name: n.name };
  if (n.value !== undefined) out.value = n.value;
  if (n.bytes !== undefined) out.hex = toHex(n.bytes);
  if (n.children && n.children.length > 0) out.children = n.children.map(nodeToJson);
  if (n.generated) out.generated = true;
  return out;
}

/** One line of text for a node (without indentation). */
export function nodeLine(n: TraceNode, fullHex: boolean): string {
  let v: string | undefined = n.value;
  if (v === undefined && n.bytes !== undefined) v = n.bytes.length === 0 ? '<MISSING>' : fullHex ? toHex(n.bytes) : shortHex(n.bytes);
  const text = v === undefined ? n.name : `${n.name}: ${v}`;
  return n.generated ? `[${text}]` : text;
}

// Small constructors used by the decoders.
export const field = (name: string, value: string | number): TraceNode => ({ name, value: String(value) });
export const bytesField = (name: string, bytes: Uint8Array): TraceNode => ({ name, bytes });
export const group = (name: string, children: readonly TraceNode[], value?: string): TraceNode =>
  value === undefined ? { name, children } : { name, value, children };
export const note = (name: string, value?: string): TraceNode => (value === undefined ? { name, generated: true } : { name, value, generated: true });
