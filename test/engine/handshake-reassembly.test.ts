/**
 * Issue 11, items 5 and 12: handshake reassembly cost O(n^2) in the number of
 * records a message was cut into (a 64 KiB ClientHello in 65,004 one-byte
 * records: 220–370 ms of CPU and +60–75 MB of RSS per connection; our client
 * fed a server flight that way: 472 ms, +83 MB). Now each byte is copied once
 * into a buffer sized from the message header, and the bound on a handshake
 * message is OpenSSL's (131396 bytes, the largest ClientHello there can be).
 *
 * The victims run in a fresh process (test/helpers/fragmented-peer.ts) so
 * that CPU and peak RSS are theirs alone; the ceilings are generous (the
 * machine may be loaded), and the old code exceeded them several times over.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../helpers/paths.js';
import { largeClientHello, handshakeRecords, type VictimReport } from '../helpers/fragmented-peer.js';
import { lone } from '../helpers/hostile.js';
import { HandshakeReassembler } from '../../src/record/reassembly.js';
import { MAX_HANDSHAKE_MESSAGE_LENGTH } from '../../src/limits.js';
import { ContentType } from '../../src/registry.js';
import { settle } from '../helpers/pair.js';
import { TLSError } from '../../src/errors.js';

const VICTIM = join(projectRoot, 'dist', 'test', 'helpers', 'fragmented-peer.js');
/** Old code: 0.6 s and +37 MB here for the 64 KiB hello; now ~0.1 s and +3 MB. */
const CPU_CEILING_MS = 2000;
const RSS_CEILING_MB = 24;

function victim(...args: string[]): Promise<VictimReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [VICTIM, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as VictimReport);
    });
  });
}

describe('handshake reassembly', () => {
  it('answers a 128 KiB ClientHello sent as one-byte records in bounded CPU and memory', { timeout: 90_000 }, async () => {
    const r = await victim('server', '120000');
    assert.equal(r.bytes, 120000);
    assert.equal(r.outcome, 'server_hello 2');
    assert.ok(r.cpuMs < CPU_CEILING_MS, `${r.cpuMs} ms of CPU`);
    assert.ok(r.peakRssGrowthMb < RSS_CEILING_MB, `+${r.peakRssGrowthMb} MB peak RSS`);
  });

  it('completes a handshake whose server sends a 60 KiB flight as one-byte records in bounded CPU and memory', { timeout: 90_000 }, async () => {
    const r = await victim('client', '9');
    assert.ok(r.bytes > 55_000, `${r.bytes} bytes`);
    assert.equal(r.outcome, 'handshake');
    assert.ok(r.cpuMs < CPU_CEILING_MS, `${r.cpuMs} ms of CPU`);
    assert.ok(r.peakRssGrowthMb < RSS_CEILING_MB, `+${r.peakRssGrowthMb} MB peak RSS`);
  });

  it('accepts a 100 KiB ClientHello (padding and a long cipher-suite list) in full-size records', async () => {
    const hello = await largeClientHello(100 * 1024);
    const server = lone('server', { maxVersion: 'TLSv1.3' });
    server.conn.receive(handshakeRecords(hello, 16384));
    for (let i = 0; i < 500 && server.written().length === 0 && !server.error; i++) await settle(2);
    assert.equal(server.error, undefined);
    assert.equal(server.written()[0]?.type, ContentType.handshake);
    assert.equal(server.written()[0]?.body[0], 2, 'ServerHello');
    server.conn.destroy();
  });

  it('refuses a handshake message announcing more than the limit as soon as its header is complete', async () => {
    const server = lone('server', {});
    const len = MAX_HANDSHAKE_MESSAGE_LENGTH + 1;
    server.conn.receive(handshakeRecords(Uint8Array.of(1, len >>> 16, (len >>> 8) & 0xff, len & 0xff), 1));
    const err = await server.closed;
    assert.equal(err?.alert?.name, 'decode_error');
    assert.match(err!.message, /exceeds 131396/);
  });

  it('reassembles messages across any fragmentation, copying each fragment', () => {
    const msgs = [Uint8Array.of(14, 0, 0, 0), Uint8Array.of(11, 0, 0, 3, 1, 2, 3), Uint8Array.of(20, 0, 0, 2, 9, 9)];
    const all = Uint8Array.from(msgs.flatMap((m) => [...m]));
    for (const cut of [1, 2, 3, 5, 7, all.length]) {
      const r = new HandshakeReassembler(16);
      const out: number[][] = [];
      for (let i = 0; i < all.length; i += cut) {
        const frag = all.slice(i, i + cut);
        r.push(frag);
        frag.fill(0xee); // the caller reuses its buffer
        for (let m = r.take(); m !== null; m = r.take()) out.push([...m]);
      }
      assert.deepEqual(out, msgs.map((m) => [...m]), `cut ${cut}`);
      assert.equal(r.length, 0);
    }
    const r = new HandshakeReassembler(16);
    r.push(Uint8Array.of(11, 0, 0, 3, 1));
    assert.equal(r.length, 5);
    assert.equal(r.take(), null);
    assert.throws(() => r.push(Uint8Array.of(2, 3, 1, 0, 0, 17)), (e: unknown) => e instanceof TLSError && e.alert?.name === 'decode_error');
  });
});
