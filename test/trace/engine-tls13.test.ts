import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectPair, handshakeBoth, settle, type Pair } from '../helpers/pair.js';
import { NamedGroup } from '../../src/registry.js';
import { createTracer, parseKeyLog } from '../../src/trace/index.js';
import type { TraceEvent } from '../../src/connection.js';
import { compareTrees, findAll, parseIndented, recordBlocks, referenceText, type TextNode } from './text-tree.js';

const T = { timeout: 10_000 };

async function run(pair: Pair): Promise<Pair> {
  await handshakeBoth(pair);
  pair.client.conn.send(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
  await settle(10);
  pair.client.conn.close();
  await settle(5);
  pair.server.conn.close();
  await settle(5);
  return pair;
}

function render(events: readonly TraceEvent[], format: 'text' | 'json' = 'text'): string[] {
  const lines: string[] = [];
  const t = createTracer({ format, write: (l) => lines.push(l) });
  for (const e of events) t.onEvent(e);
  t.flush();
  return lines;
}

const headers = (lines: string[]): string[] => lines.filter((l) => /^[→←]/.test(l));
const messages = (text: string): TextNode[] => findAll(parseIndented(text), (n) => n.line.startsWith('Handshake Protocol: '));

describe('tracing an in-memory TLS 1.3 handshake', () => {
  it('numbers flights and round trips from both sides', T, async () => {
    const pair = await run(connectPair({ trace: true, alpnProtocols: ['http/1.1'] }, { trace: true, alpnProtocols: ['http/1.1'] }));
    const client = headers(render(pair.client.trace));
    assert.equal(client[0], '→ Flight 1 (RTT 1): ClientHello');
    assert.equal(client[1], '← Flight 2 (RTT 1): ServerHello');
    assert.match(client[2]!, /^→ Flight 3 \(RTT 2\): (ChangeCipherSpec|Finished)$/);
    assert.ok(client.includes('← Flight 4 (RTT 2): NewSessionTicket'));
    const server = headers(render(pair.server.trace));
    assert.deepEqual(server.slice(0, 2), ['← Flight 1 (RTT 1): ClientHello', '→ Flight 2 (RTT 1): ServerHello']);
  });

  it('shows encrypted records as opaque application data, then what they carried', T, async () => {
    const pair = await run(connectPair({ trace: true }, { trace: true }));
    for (const side of ['client', 'server'] as const) {
      const text = render(pair[side].trace).join('\n');
      const records = recordBlocks(text);
      const lines = records.map((r) => r.line);
      assert.equal(lines[0], 'TLSv1 Record Layer: Handshake Protocol: Client Hello');
      assert.equal(lines[1], 'TLSv1.2 Record Layer: Handshake Protocol: Server Hello', side);
      for (const name of ['Encrypted Extensions', 'Certificate', 'Certificate Verify', 'Finished']) {
        const r = records.find((x) => x.line === `TLSv1.3 Record Layer: Handshake Protocol: ${name}`);
        assert.ok(r, `${side}: ${name}`);
        assert.deepEqual(
          r.children.slice(0, 4).map((c) => c.line.replace(/^Length: \d+$/, 'Length: N')),
          ['Opaque Type: Application Data (23)', 'Version: TLS 1.2 (0x0303)', 'Length: N', '[Content Type: Handshake (22)]'],
        );
        assert.match(r.children[4]!.line, /^Encrypted Application Data: [0-9a-f]{4}…[0-9a-f]{4}$/);
        assert.equal(r.children[5]!.line, `Handshake Protocol: ${name}`);
      }
      assert.match(text, /Alert Message\n\s+Level: Warning \(1\)\n\s+Description: Close Notify \(0\)/);
      assert.match(text, /\[Content Type: Alert \(21\)\]/);
    }
  });

  it('lays each message out in the field order of the tshark TLS 1.3 reference', T, async () => {
    const pair = await run(connectPair({ trace: true, alpnProtocols: ['http/1.1'] }, { trace: true, alpnProtocols: ['http/1.1'] }));
    const ours = messages(render(pair.client.trace).join('\n'));
    const theirs = messages(referenceText('tshark-tls13.txt'));
    const problems: string[] = [];
    let compared = 0;
    for (const o of ours) {
      const t = theirs.find((x) => x.line === o.line);
      if (!t) continue;
      compared++;
      const diff = compareTrees(o, t, { values: false, opaque: new Set(['Certificate']) });
      problems.push(...diff.filter((p) => !/missing "Extension: /.test(p)));
    }
    assert.deepEqual(problems, []);
    assert.ok(compared >= 7, `compared ${compared} messages`);
    const sh = ours.find((m) => m.line === 'Handshake Protocol: Server Hello')!;
    assert.ok(sh.children.some((c) => c.line === 'Extension: supported_versions (len=2)'));
  });

  it('counts the extra round trip of a HelloRetryRequest', T, async () => {
    const pair = await run(connectPair({ groups: [NamedGroup.x25519, NamedGroup.secp384r1], trace: true }, { groups: [NamedGroup.secp384r1], trace: true }));
    const client = headers(render(pair.client.trace));
    assert.equal(client[0], '→ Flight 1 (RTT 1): ClientHello');
    assert.equal(client[1], '← Flight 2 (RTT 1): HelloRetryRequest');
    assert.match(client[2]!, /^→ Flight 3 \(RTT 2\): (ChangeCipherSpec|ClientHello)$/);
    // The server's middlebox CCS follows its HelloRetryRequest on the wire, but the client
    // reads it only after sending its second ClientHello: the trace shows processing order.
    assert.match(client[3]!, /^← Flight 4 \(RTT 2\): (ChangeCipherSpec|ServerHello)$/);
    assert.match(client[4]!, /^→ Flight 5 \(RTT 3\): /);
    const text = render(pair.client.trace).join('\n');
    assert.match(text, /Handshake Protocol: Hello Retry Request\n\s+Handshake Type: Server Hello \(2\)/);
    assert.match(text, /\(HelloRetryRequest magic\)/);
    assert.match(text, /Selected Group: secp384r1 \(24\)/);
  });

  it('reports TLS 1.3 in JSON and logs the TLS 1.3 secrets in NSS format', T, async () => {
    const pair = await run(connectPair({ trace: true }, { trace: true }));
    const objs = render(pair.client.trace, 'json').map((l) => JSON.parse(l) as Record<string, unknown>);
    const ee = objs.find((o) => o['name'] === 'encrypted_extensions')!;
    assert.equal(ee['version'], 'TLSv1.3');
    assert.equal(ee['flight'], 2);
    const eeRecord = objs[objs.indexOf(ee) - 1]!;
    assert.equal(eeRecord['kind'], 'record');
    assert.equal(eeRecord['contentTypeName'], 'application_data');
    assert.equal(eeRecord['encrypted'], true);
    const entries = parseKeyLog(pair.client.keylog.join('\n'), { strict: true });
    const labels = new Set(entries.map((e) => e.label));
    for (const l of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']) {
      assert.ok(labels.has(l), l);
    }
    assert.equal(new Set(entries.map((e) => Buffer.from(e.clientRandom).toString('hex'))).size, 1);
  });
});
