/**
 * Helpers for the trace tests: parse indented text (ours or tshark -V) into a
 * tree and compare two trees by Wireshark field name, order and value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/paths.js';

export interface TextNode {
  readonly line: string;
  readonly indent: number;
  readonly children: TextNode[];
}

/** Parse by indentation: a line's parent is the nearest line above it that is indented less. */
export function parseIndented(text: string): TextNode[] {
  const roots: TextNode[] = [];
  const stack: TextNode[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const indent = raw.length - raw.trimStart().length;
    const node: TextNode = { line: raw.trim(), indent, children: [] };
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (stack.length === 0) roots.push(node);
    else stack[stack.length - 1]!.children.push(node);
    stack.push(node);
  }
  return roots;
}

export function findAll(nodes: readonly TextNode[], pred: (n: TextNode) => boolean): TextNode[] {
  const out: TextNode[] = [];
  const walk = (n: TextNode): void => {
    if (pred(n)) out.push(n);
    else n.children.forEach(walk);
  };
  nodes.forEach(walk);
  return out;
}

/** The record blocks ("TLSv1.2 Record Layer: …") of a text, in order. */
export function recordBlocks(text: string): TextNode[] {
  return findAll(parseIndented(text), (n) => / Record Layer: /.test(n.line));
}

export function referenceText(name: 'tshark-tls12-ecdhe-rsa.txt' | 'tshark-tls13.txt'): string {
  return readFileSync(join(projectRoot, 'test', 'trace', 'reference', name), 'utf8');
}

/** The field name a line is compared by: "Cipher Suites (2 suites)" → "Cipher Suites", extensions by name. */
export function keyOf(line: string): string {
  let l = line.trim();
  let bracket = false;
  if (l.startsWith('[') && l.endsWith(']')) {
    l = l.slice(1, -1);
    bracket = true;
  }
  let k: string;
  if (l.startsWith('Extension: ')) k = l.replace(/ \(len=\d+\)$/, '');
  else if (l.includes(' Record Layer: ')) k = 'Record Layer';
  else if (l.startsWith('Handshake Protocol: ')) k = l;
  else {
    const i = l.indexOf(': ');
    k = (i >= 0 ? l.slice(0, i) : l).replace(/ \([^)]*\)$/, '');
  }
  return bracket ? `[${k}]` : k;
}

export function valueOf(line: string): string | undefined {
  let l = line.trim();
  if (l.startsWith('[') && l.endsWith(']')) l = l.slice(1, -1);
  const i = l.indexOf(': ');
  return i >= 0 ? l.slice(i + 2) : undefined;
}

const collapse = (xs: readonly string[]): string[] => xs.filter((x, i) => i === 0 || xs[i - 1] !== x);

/** Wireshark names some legacy code points we leave "Unknown (0x0303)": the same code is not a difference. */
function sameValue(ours: string, theirs: string): boolean {
  if (ours === theirs) return true;
  const code = /\((0x[0-9a-f]+)\)$/;
  const a = code.exec(ours);
  const b = code.exec(theirs);
  return ours.startsWith('Unknown (') && a !== null && b !== null && a[1] === b[1];
}

export interface CompareOptions {
  /** Compare values too (not only names and order). */
  readonly values: boolean;
  /** tshark fields we deliberately leave out. */
  readonly omitted?: ReadonlySet<string>;
  /** Do not descend into these fields' children (e.g. tshark's X.509 dissection). */
  readonly opaque?: ReadonlySet<string>;
}

/** Default: Wireshark's legacy sub-fields we leave out on purpose. */
export const DELIBERATE_OMISSIONS: ReadonlySet<string> = new Set([
  'GMT Unix Time', // TLS 1.2 random's first four bytes are no longer a time
  'Random Bytes',
  'Signature Hash Algorithm Hash', // Wireshark's (hash, signature) split; wrong for RSA-PSS ("SM2")
  'Signature Hash Algorithm Signature',
  '[JA3 Fullstring]',
  '[JA3]',
  '[JA3S Fullstring]',
  '[JA3S]',
]);

/**
 * Differences between our tree and tshark's: a field tshark shows that we lack,
 * fields in a different order, or (with `values`) a different value. Values tshark
 * truncates ("…") are not compared.
 */
export function compareTrees(ours: TextNode, theirs: TextNode, opts: CompareOptions, path = ''): string[] {
  const problems: string[] = [];
  const here = `${path}/${keyOf(theirs.line)}`;
  const omitted = opts.omitted ?? DELIBERATE_OMISSIONS;
  const oKeys = ours.children.map((c) => keyOf(c.line));
  const tKeys = theirs.children.map((c) => keyOf(c.line)).filter((k) => !omitted.has(k));
  const oSet = new Set(oKeys);
  const tSet = new Set(tKeys);
  for (const k of tKeys) if (!oSet.has(k)) problems.push(`${here}: missing "${k}"`);
  // The same session: exact order (runs of one field collapsed). Different sessions: extensions
  // and list items differ, so compare the order in which each kind of field first appears.
  const order = (keys: string[]): string[] =>
    opts.values ? collapse(keys) : keys.map((k) => (k.startsWith('Extension: ') ? 'Extension' : k)).filter((k, i, a) => a.indexOf(k) === i);
  const oSeq = order(oKeys.filter((k) => tSet.has(k)));
  const tSeq = order(tKeys.filter((k) => oSet.has(k)));
  if (oSeq.join('|') !== tSeq.join('|')) problems.push(`${here}: order ${JSON.stringify(oSeq)} vs tshark ${JSON.stringify(tSeq)}`);
  // Pair children by (name, occurrence).
  const seen = new Map<string, number>();
  const oIndex = new Map<string, TextNode>();
  for (const c of ours.children) {
    const k = keyOf(c.line);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    oIndex.set(`${k}#${n}`, c);
  }
  seen.clear();
  for (const t of theirs.children) {
    const k = keyOf(t.line);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    const o = oIndex.get(`${k}#${n}`);
    if (!o) continue;
    if (opts.values) {
      const tv = valueOf(t.line);
      const ov = valueOf(o.line);
      if (tv !== undefined && !tv.endsWith('…') && k !== 'Record Layer' && (ov === undefined || !sameValue(ov, tv))) {
        problems.push(`${here}/${k}: "${o.line}" vs tshark "${t.line}"`);
      }
    }
    if (!opts.opaque?.has(k)) problems.push(...compareTrees(o, t, opts, here));
  }
  return problems;
}
