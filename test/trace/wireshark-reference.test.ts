import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTracer } from '../../src/trace/index.js';
import type { TraceEvent } from '../../src/connection.js';
import { compareTrees, recordBlocks, referenceText, type TextNode } from './text-tree.js';
import { tls12ReferenceEvents, tls13ReferenceEvents } from './sessions.js';

function traceText(events: readonly TraceEvent[], fullHex = true): string {
  const lines: string[] = [];
  const t = createTracer({ format: 'text', fullHex, write: (l) => lines.push(l) });
  events.forEach(t.onEvent);
  t.flush();
  return lines.join('\n');
}

/** Our record blocks vs tshark's, one by one: the header line, then fields by name, order and value. */
function compareSessions(ours: TextNode[], theirs: TextNode[]): string[] {
  const problems: string[] = [];
  assert.equal(ours.length, theirs.length, `records: ${ours.map((o) => o.line).join(' | ')}`);
  theirs.forEach((t, i) => {
    const o = ours[i]!;
    if (o.line !== t.line) problems.push(`record ${i}: "${o.line}" vs tshark "${t.line}"`);
    // The certificate is our fixture's, not the reference's: names and order only there.
    const isCert = t.line.endsWith('Handshake Protocol: Certificate');
    problems.push(...compareTrees(o, t, { values: !isCert, opaque: new Set(['Certificate']) }, `record ${i}`));
  });
  return problems;
}

describe('trace against the Wireshark reference decodes', () => {
  it('prints the TLS 1.2 ECDHE-RSA session with tshark\'s field names, order and values', () => {
    const ours = recordBlocks(traceText(tls12ReferenceEvents()));
    const theirs = recordBlocks(referenceText('tshark-tls12-ecdhe-rsa.txt'));
    assert.deepEqual(compareSessions(ours, theirs), []);
  });

  it('prints the TLS 1.3 session with tshark\'s field names, order and values (opaque records, inner content type)', () => {
    const ours = recordBlocks(traceText(tls13ReferenceEvents()));
    const theirs = recordBlocks(referenceText('tshark-tls13.txt'));
    assert.deepEqual(compareSessions(ours, theirs), []);
  });

  it('numbers the reference sessions\' flights and round trips', () => {
    const headers12 = traceText(tls12ReferenceEvents()).split('\n').filter((l) => /^[→←]/.test(l));
    assert.deepEqual(headers12, [
      '→ Flight 1 (RTT 1): ClientHello',
      '← Flight 2 (RTT 1): ServerHello',
      '→ Flight 3 (RTT 2): ClientKeyExchange',
      '← Flight 4 (RTT 2): NewSessionTicket',
      '→ Application Data (35 bytes)',
      '← Application Data (4253 bytes)',
      '→ Alert (Level: Warning, Description: Close Notify)',
      '← Alert (Level: Warning, Description: Close Notify)',
    ]);
    const headers13 = traceText(tls13ReferenceEvents()).split('\n').filter((l) => /^[→←]/.test(l));
    assert.deepEqual(headers13.slice(0, 5), [
      '→ Flight 1 (RTT 1): ClientHello',
      '← Flight 2 (RTT 1): ServerHello',
      '→ Flight 3 (RTT 2): ChangeCipherSpec',
      '→ Application Data (35 bytes)',
      '← Flight 4 (RTT 2): NewSessionTicket',
    ]);
  });
});
