import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectPair, handshakeBoth, settle, type Pair } from '../helpers/pair.js';
import { cipherSuiteByName } from '../../src/registry.js';
import { createTracer, stripAnsi, type TraceNodeJson } from '../../src/trace/index.js';
import type { TraceEvent } from '../../src/connection.js';
import { compareTrees, keyOf, parseIndented, recordBlocks, referenceText, findAll, type TextNode } from './text-tree.js';

const suite = (n: string): number => cipherSuiteByName(n)!.id;

async function ecdheRsaPair(): Promise<Pair> {
  const pair = connectPair(
    { maxVersion: 'TLSv1.2', cipherSuites: [suite('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')], trace: true, alpnProtocols: ['h2', 'http/1.1'] },
    { maxVersion: 'TLSv1.2', trace: true, alpnProtocols: ['http/1.1'] },
  );
  await handshakeBoth(pair);
  pair.client.conn.send(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
  await settle(5);
  pair.server.conn.send(new TextEncoder().encode('HTTP/1.0 200 OK\r\n\r\n'));
  await settle(5);
  pair.client.conn.close();
  await settle(5);
  pair.server.conn.close();
  await settle(5);
  return pair;
}

function render(events: readonly TraceEvent[], opts: { color?: boolean; explain?: boolean; format?: 'text' | 'json'; label?: string } = {}): string[] {
  const lines: string[] = [];
  const t = createTracer({ ...opts, write: (l) => lines.push(l) });
  for (const e of events) t.onEvent(e);
  t.flush();
  return lines;
}

/** The "Handshake Protocol: X" subtrees of a text, in order. */
function messages(text: string): TextNode[] {
  return findAll(parseIndented(text), (n) => n.line.startsWith('Handshake Protocol: '));
}

describe('tracing an in-memory TLS 1.2 ECDHE-RSA handshake', () => {
  it('shows each flight with its round trip, from both sides', async () => {
    const pair = await ecdheRsaPair();
    const client = render(pair.client.trace).filter((l) => /^[→←]/.test(l));
    assert.deepEqual(client, [
      '→ Flight 1 (RTT 1): ClientHello',
      '← Flight 2 (RTT 1): ServerHello',
      '→ Flight 3 (RTT 2): ClientKeyExchange',
      '← Flight 4 (RTT 2): NewSessionTicket',
      '→ Application Data (18 bytes)',
      '← Application Data (19 bytes)',
      '→ Alert (Level: Warning, Description: Close Notify)',
      '← Alert (Level: Warning, Description: Close Notify)',
    ]);
    const server = render(pair.server.trace).filter((l) => /^[→←]/.test(l));
    assert.deepEqual(server.slice(0, 4), [
      '← Flight 1 (RTT 1): ClientHello',
      '→ Flight 2 (RTT 1): ServerHello',
      '← Flight 3 (RTT 2): ClientKeyExchange',
      '→ Flight 4 (RTT 2): NewSessionTicket',
    ]);
  });

  it('prints every record and message in both directions with Wireshark\'s record headers', async () => {
    const pair = await ecdheRsaPair();
    const records = recordBlocks(render(pair.client.trace).join('\n')).map((r) => r.line);
    assert.deepEqual(records, [
      'TLSv1 Record Layer: Handshake Protocol: Client Hello',
      'TLSv1.2 Record Layer: Handshake Protocol: Server Hello',
      'TLSv1.2 Record Layer: Handshake Protocol: Certificate',
      'TLSv1.2 Record Layer: Handshake Protocol: Server Key Exchange',
      'TLSv1.2 Record Layer: Handshake Protocol: Server Hello Done',
      'TLSv1.2 Record Layer: Handshake Protocol: Client Key Exchange',
      'TLSv1.2 Record Layer: Change Cipher Spec Protocol: Change Cipher Spec',
      'TLSv1.2 Record Layer: Handshake Protocol: Finished',
      'TLSv1.2 Record Layer: Handshake Protocol: New Session Ticket',
      'TLSv1.2 Record Layer: Change Cipher Spec Protocol: Change Cipher Spec',
      'TLSv1.2 Record Layer: Handshake Protocol: Finished',
      'TLSv1.2 Record Layer: Application Data Protocol: Application Data',
      'TLSv1.2 Record Layer: Application Data Protocol: Application Data',
      'TLSv1.2 Record Layer: Alert (Level: Warning, Description: Close Notify)',
      'TLSv1.2 Record Layer: Alert (Level: Warning, Description: Close Notify)',
    ]);
  });

  it('lays each message out in the field order of the tshark reference', async () => {
    const pair = await ecdheRsaPair();
    const ours = messages(render(pair.client.trace).join('\n'));
    const theirs = messages(referenceText('tshark-tls12-ecdhe-rsa.txt'));
    const problems: string[] = [];
    for (const o of ours) {
      const t = theirs.find((x) => x.line === o.line);
      if (!t) continue;
      // Names and order only: different randoms, keys, certificate and extensions than the reference.
      const diff = compareTrees(o, t, { values: false, opaque: new Set(['Certificate']) });
      // Extensions the reference has and we did not send are not missing fields.
      problems.push(...diff.filter((p) => !/missing "Extension: /.test(p)));
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(
      ours.map((o) => o.line),
      ['Client Hello', 'Server Hello', 'Certificate', 'Server Key Exchange', 'Server Hello Done', 'Client Key Exchange', 'Finished', 'New Session Ticket', 'Finished'].map((n) => `Handshake Protocol: ${n}`),
    );
  });

  it('decodes the negotiated key exchange, the certificate subject and the ALPN choice', async () => {
    const pair = await ecdheRsaPair();
    const text = render(pair.client.trace).join('\n');
    const ske = messages(text).find((m) => m.line === 'Handshake Protocol: Server Key Exchange')!;
    const params = ske.children.find((c) => c.line === 'EC Diffie-Hellman Server Params')!;
    assert.deepEqual(
      params.children.map((c) => keyOf(c.line)),
      ['Curve Type', 'Named Curve', 'Pubkey Length', 'Pubkey', 'Signature Algorithm', 'Signature Length', 'Signature'],
    );
    assert.match(text, /Curve Type: named_curve \(0x03\)\n\s+Named Curve: x25519 \(0x001d\)\n\s+Pubkey Length: 32\n\s+Pubkey: [0-9a-f]{4}…[0-9a-f]{4}\n/);
    assert.match(text, /Signature Algorithm: rsa_pss_rsae_sha256 \(0x0804\)/);
    assert.match(text, /EC Diffie-Hellman Client Params\n\s+Pubkey Length: 32\n/);
    assert.match(text, /Certificate: CN=server-rsa \(\d+ bytes\)/);
    assert.match(text, /Cipher Suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \(0xc02f\)/);
    assert.match(text, /ALPN Next Protocol: h2\n\s+ALPN string length: 8\n\s+ALPN Next Protocol: http\/1.1/);
    assert.match(text, /Encrypted Handshake Message: [0-9a-f]{4}…[0-9a-f]{4}\n\s+Handshake Protocol: Finished\n\s+Handshake Type: Finished \(20\)\n\s+Length: 12\n\s+Verify Data: /);
  });

  it('writes one JSON object per event with the decoded fields and full hex', async () => {
    const pair = await ecdheRsaPair();
    const lines = render(pair.client.trace, { format: 'json', label: 'client' });
    assert.equal(lines.length, pair.client.trace.length);
    const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(objs.every((o, i) => o['seq'] === i + 1 && o['label'] === 'client'));
    const ch = objs.find((o) => o['name'] === 'client_hello')!;
    assert.equal(ch['kind'], 'handshake');
    assert.equal(ch['direction'], 'sent');
    assert.equal(ch['flight'], 1);
    assert.equal(ch['rtt'], 1);
    const fields = ch['fields'] as TraceNodeJson[];
    const random = fields.find((f) => f.name === 'Random')!;
    assert.match(random.hex!, /^[0-9a-f]{64}$/);
    const suites = fields.find((f) => f.name.startsWith('Cipher Suites ('))!;
    assert.deepEqual(suites.children!.map((c) => c.value), ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)']);
    const sni = fields.find((f) => f.name === 'Extension: server_name (len=14)')!;
    assert.equal(sni.children!.find((c) => c.name === 'Server Name Indication extension')!.children!.find((c) => c.name === 'Server Name')!.value, 'localhost');
    const rec = objs.find((o) => o['kind'] === 'record')!;
    assert.equal(rec['contentTypeName'], 'handshake');
    assert.match(rec['hex'] as string, /^16030100/);
    const ske = objs.find((o) => o['name'] === 'server_key_exchange')!;
    assert.equal(ske['version'], 'TLSv1.2');
    assert.equal((ske['fields'] as TraceNodeJson[])[2]!.name, 'EC Diffie-Hellman Server Params');
    const alert = objs.find((o) => o['kind'] === 'alert')!;
    assert.equal(alert['descriptionName'], 'close_notify');
    assert.equal(alert['levelName'], 'warning');
  });

  it('colours only when asked, and the coloured text is the plain text plus escapes', async () => {
    const pair = await ecdheRsaPair();
    const plain = render(pair.client.trace, { color: false });
    const coloured = render(pair.client.trace, { color: true });
    assert.ok(plain.every((l) => !l.includes('\x1b')));
    assert.ok(coloured.some((l) => l.includes('\x1b[')));
    // Randoms differ between runs only inside the same pair's trace, so compare the same events.
    assert.deepEqual(coloured.map(stripAnsi), plain);
  });

  it('explains each message in one sentence with --explain', async () => {
    const pair = await ecdheRsaPair();
    const lines = render(pair.client.trace, { explain: true });
    const explained = lines.filter((l) => l.trimStart().startsWith('» '));
    // One per message: 9 handshake messages, 2 ChangeCipherSpec, 2 application data, 2 alerts.
    assert.equal(explained.length, pair.client.trace.filter((e) => e.kind !== 'record').length);
    assert.equal(explained.length, 15);
    const i = lines.findIndex((l) => l.trim() === 'Handshake Protocol: Server Key Exchange');
    assert.match(lines[i + 1]!, /» The server's ephemeral ECDHE public key, signed with its certificate key .*forward secrecy/);
    // Explanations do not disturb the tree.
    assert.deepEqual(lines.filter((l) => !l.trimStart().startsWith('» ')), render(pair.client.trace));
  });

  it('prefixes text lines with the label', async () => {
    const pair = await ecdheRsaPair();
    const lines = render(pair.server.trace, { label: 'server' });
    assert.ok(lines.every((l) => l.startsWith('[server] ')));
    assert.equal(lines[0], '[server] ← Flight 1 (RTT 1): ClientHello');
  });

  it('names a fatal alert the way Wireshark does', async () => {
    // The server has no RSA-key-exchange suite enabled: no suite in common.
    const pair = connectPair(
      { maxVersion: 'TLSv1.2', cipherSuites: [suite('TLS_RSA_WITH_AES_128_GCM_SHA256')], trace: true },
      { maxVersion: 'TLSv1.2', trace: true },
    );
    await pair.client.closed;
    await settle(5);
    const text = render(pair.client.trace).join('\n');
    assert.match(text, /← Alert \(Level: Fatal, Description: Handshake Failure\)\n  TLSv1 Record Layer: Alert \(Level: Fatal, Description: Handshake Failure\)|← Alert \(Level: Fatal, Description: Handshake Failure\)\n  TLSv1.2 Record Layer: Alert \(Level: Fatal, Description: Handshake Failure\)/);
    assert.match(text, /Alert Message\n\s+Level: Fatal \(2\)\n\s+Description: Handshake Failure \(40\)/);
    const server = render(pair.server.trace, { explain: true }).join('\n');
    assert.match(server, /→ Alert \(Level: Fatal, Description: Handshake Failure\)/);
    assert.match(server, /» The sender aborts the connection/);
  });
});
