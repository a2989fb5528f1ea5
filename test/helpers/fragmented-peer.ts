/**
 * A peer that sends its handshake as one-byte records (issue 11, items 5 and
 * 12), and a victim process that measures what that costs.
 *
 * Run as a script, it plays one victim in a fresh process and prints
 * `{ cpuMs, peakRssGrowthMb, outcome }` as JSON, so a test can bound CPU and
 * peak memory without the test runner's own allocations in the way:
 *
 *   node dist/test/helpers/fragmented-peer.js server <helloBytes>   our server gets a ClientHello of that size
 *   node dist/test/helpers/fragmented-peer.js client <padCerts>     our client gets a TLS 1.2 server flight with that many 6 KiB junk certificates
 *   (add `whole` to send the same bytes in full-size records, for comparison)
 */
import { pathToFileURL } from 'node:url';
import { connectPair, certified, settle } from './pair.js';
import { lone, splitRecords, encodeRecord, type Rec } from './hostile.js';
import { ClientHelloCodec, frameHandshake } from '../../src/messages/handshake.js';
import { ContentType, HandshakeType } from '../../src/registry.js';
import { Reader } from '../../src/wire/reader.js';
import { createCertificate, generateKeyPair } from '../../src/x509/issue.js';

/** Our client's own ClientHello (TLS 1.3 capable), grown to `size` bytes (header included) with padding (RFC 7685) and unknown cipher suites. */
export async function largeClientHello(size: number): Promise<Uint8Array> {
  const c = lone('client', { maxVersion: 'TLSv1.3' });
  for (let i = 0; i < 1000 && c.written().length === 0; i++) await settle(1);
  const first = c.written()[0]!;
  c.conn.destroy();
  const hello = ClientHelloCodec.decode(new Reader(first.body.subarray(4)));
  const base = frameHandshake(HandshakeType.client_hello, ClientHelloCodec.encode(hello)).length;
  // Each extension and the cipher-suite list have 16-bit lengths: fill the suites first (unknown
  // code points, ignored by a server), then a padding extension, just before pre_shared_key if any.
  let grow = size - base;
  const suites = Math.max(0, Math.min(Math.floor((grow - 4) / 2), 32000 - hello.cipherSuites.length));
  grow -= suites * 2;
  const extra = Array.from({ length: suites }, () => 0x5a5a);
  const padLength = Math.max(0, grow - 4);
  if (padLength > 0xffff) throw new Error(`a ClientHello of ${size} bytes does not fit the wire format`);
  const extensions = [...hello.extensions, { type: 21, data: new Uint8Array(padLength) }];
  const grown = { ...hello, cipherSuites: [...hello.cipherSuites, ...extra], extensions };
  return frameHandshake(HandshakeType.client_hello, ClientHelloCodec.encode(grown));
}

/** Handshake bytes as records of at most `size` bytes each. */
export function handshakeRecords(message: Uint8Array, size: number): Uint8Array {
  const n = Math.ceil(message.length / size);
  const out = new Uint8Array(message.length + 5 * n);
  let o = 0;
  for (let i = 0; i < message.length; i += size) {
    const r = encodeRecord({ type: ContentType.handshake, version: 0x0303, body: message.subarray(i, i + size) });
    out.set(r, o);
    o += r.length;
  }
  return out;
}

/** Feed bytes in TCP-sized chunks. */
function feed(receive: (b: Uint8Array) => void, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 65536) receive(bytes.subarray(i, i + 65536));
}

export interface VictimReport {
  readonly cpuMs: number;
  readonly peakRssGrowthMb: number;
  /** What the victim did: its first record type and handshake type, or its error. */
  readonly outcome: string;
  readonly bytes: number;
}

async function serverVictim(helloBytes: number, recordSize: number): Promise<VictimReport> {
  const hello = await largeClientHello(helloBytes);
  const wire = handshakeRecords(hello, recordSize);
  const server = lone('server', { maxVersion: 'TLSv1.3' });
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  feed((b) => server.conn.receive(b), wire);
  await settle(20);
  const cpu = process.cpuUsage(cpu0);
  const out = server.written();
  const outcome = server.error ? `error ${server.error.alert?.name ?? server.error.code}` : out.length > 0 && out[0]!.type === ContentType.handshake ? `server_hello ${out[0]!.body[0]}` : 'silent';
  server.conn.destroy();
  return { cpuMs: (cpu.user + cpu.system) / 1000, peakRssGrowthMb: (process.resourceUsage().maxRSS * 1024 - rss0) / 2 ** 20, outcome, bytes: hello.length };
}

async function clientVictim(padCerts: number, recordSize: number): Promise<VictimReport> {
  // A server chain with `padCerts` junk 6 KiB certificates behind its leaf (the client accepts any chain).
  const key = generateKeyPair();
  const pad = { oid: '1.3.6.1.4.1.55555.11.5', critical: false, value: new Uint8Array(6000).fill(0x42) };
  const junk: Uint8Array[] = [];
  for (let i = 0; i < padCerts; i++) junk.push((await createCertificate({ subject: { CN: `junk ${i}` }, privateKeyPem: key.privateKeyPem, isCA: true, extensions: [pad] })).der);
  const real = certified('server-p256');
  let flightBytes = 0;
  let cpu0 = process.cpuUsage();
  let rss0 = process.memoryUsage().rss;
  const pair = connectPair(
    { maxVersion: 'TLSv1.2' },
    { maxVersion: 'TLSv1.2', certificates: [{ chain: [...real.chain, ...junk], key: real.key }] },
    {
      tamper: (from, bytes) => {
        if (from !== 'server' || flightBytes > 0) return bytes;
        // The server's first flight, in the clear: re-cut every handshake record into `recordSize`-byte ones.
        flightBytes = bytes.length;
        const recs: Rec[] = splitRecords(bytes);
        const parts = recs.map((r) => (r.type === ContentType.handshake ? handshakeRecords(r.body, recordSize) : encodeRecord(r)));
        const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of parts) {
          all.set(p, o);
          o += p.length;
        }
        rss0 = process.memoryUsage().rss;
        cpu0 = process.cpuUsage();
        return all;
      },
    },
  );
  let outcome: string;
  try {
    await pair.client.handshake;
    outcome = 'handshake';
  } catch (e) {
    outcome = `error ${(e as { alert?: { name: string } }).alert?.name ?? String(e)}`;
  }
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, peakRssGrowthMb: (process.resourceUsage().maxRSS * 1024 - rss0) / 2 ** 20, outcome, bytes: flightBytes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [role, n, mode] = process.argv.slice(2);
  const recordSize = mode === 'whole' ? 16384 : 1;
  const report = role === 'server' ? await serverVictim(Number(n), recordSize) : await clientVictim(Number(n), recordSize);
  process.stdout.write(JSON.stringify(report) + '\n');
}
