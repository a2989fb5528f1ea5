/**
 * A hostile peer that rewrites a handshake message and then forges the
 * Finished messages over the tampered transcript, so that the check under
 * test is the only one left to stop the handshake (without it, the tampered
 * handshake would complete). Each Finished is recomputed over the transcript
 * as its *receiver* saw it (the receiver's own messages as sent, the peer's as
 * delivered), with the receiver's keys.
 *
 *   TLS 1.3: new Finished13Forger(pair-to-be) on a Tls13Mitm (handshake traffic
 *            secrets from the key logs; the rewrite must not change them).
 *   TLS 1.2: new Finished12Forger() on a FlightEditor (master secrets and record
 *            keys from each side's key log: with EMS a tampered hello or
 *            ServerKeyExchange gives the two sides different master secrets, so
 *            each Finished is sealed again under its receiver's keys; the
 *            client's Finished waits until the server has logged its secret).
 */
import { createHash } from 'node:crypto';
import { defaultProvider } from '../../src/crypto/node.js';
import { finishedVerifyData13 } from '../../src/handshake/keyschedule13.js';
import { finishedVerifyData12 } from '../../src/handshake/prf.js';
import { frameHandshake } from '../../src/messages/handshake.js';
import { ContentType, HandshakeType, type CipherSuiteInfo } from '../../src/registry.js';
import { Tls12Keys, encodeRecord, type FlightEditor, type Rec } from './hostile.js';
import type { Pair } from './pair.js';
import type { Tls13Mitm } from './tls13-mitm.js';

type Side = 'client' | 'server';
const other = (s: Side): Side => (s === 'client' ? 'server' : 'client');

/** Rewrite one handshake message (type byte, 3-byte length, body); undefined keeps it. */
export type MessageRewrite = (message: Uint8Array, from: Side) => Uint8Array | undefined;

function transcriptHash(suite: CipherSuiteInfo, messages: readonly Uint8Array[]): Uint8Array {
  const h = createHash(suite.hash);
  for (const m of messages) h.update(m);
  return new Uint8Array(h.digest());
}

function secretFromLog(lines: readonly string[], label: string): Uint8Array {
  const line = lines.find((l) => l.startsWith(`${label} `));
  if (line === undefined) throw new Error(`no ${label} in the key log`);
  return Uint8Array.from(Buffer.from(line.split(' ')[2]!, 'hex'));
}

/** Flips the last byte of a message (a signature's last byte, for CertificateVerify and ServerKeyExchange). */
export const flipLastByte = (m: Uint8Array): Uint8Array => {
  const out = m.slice();
  out[out.length - 1]! ^= 0x01;
  return out;
};

export class Finished13Forger {
  /** The handshake messages each side's transcript holds. */
  readonly view: Record<Side, Uint8Array[]> = { client: [], server: [] };
  /** How many messages the rewrite changed. */
  rewritten = 0;
  private done = { client: false, server: false };

  constructor(
    private readonly pair: () => Pair,
    suite: CipherSuiteInfo,
    mitm: Tls13Mitm,
    rewrite: MessageRewrite,
  ) {
    mitm.onRecord((r, ctx) => {
      if (r.type !== ContentType.handshake || this.done[ctx.from]) return undefined;
      const m = r.fragment;
      const to = other(ctx.from);
      let out = m;
      if (m[0] === HandshakeType.finished) {
        const label = ctx.from === 'client' ? 'CLIENT_HANDSHAKE_TRAFFIC_SECRET' : 'SERVER_HANDSHAKE_TRAFFIC_SECRET';
        const secret = secretFromLog(this.pair()[ctx.from].keylog, label);
        out = frameHandshake(HandshakeType.finished, finishedVerifyData13(defaultProvider, suite.hash, secret, transcriptHash(suite, this.view[to])));
        this.done[ctx.from] = true;
      } else {
        const changed = rewrite(m, ctx.from);
        if (changed !== undefined) {
          out = changed;
          this.rewritten++;
        }
      }
      this.view[ctx.from].push(m);
      this.view[to].push(out);
      return out === m ? undefined : [{ type: r.type, fragment: out }];
    });
  }
}

export class Finished12Forger {
  readonly view: Record<Side, Uint8Array[]> = { client: [], server: [] };
  rewritten = 0;
  private readonly finishedSeen = { client: false, server: false };

  constructor(
    private readonly pair: () => Pair,
    editor: FlightEditor,
    rewrite: MessageRewrite,
  ) {
    editor.onRecord((r, from, encrypted) => {
      if (!encrypted || r.type !== ContentType.handshake || this.finishedSeen[from]) return undefined;
      // The first encrypted handshake record of a side is its Finished.
      this.finishedSeen[from] = true;
      const to = other(from);
      const suite = editor.suite;
      const sent = new Tls12Keys(suite, this.keylogLine(from)!, editor.serverRandom).open(from, 0, r).fragment;
      this.view[from].push(sent);
      const forge = (receiverLine: string): Rec => {
        const ms = Uint8Array.from(Buffer.from(receiverLine.split(' ')[2]!, 'hex'));
        const forged = frameHandshake(HandshakeType.finished, finishedVerifyData12(defaultProvider, suite.hash, ms, from, transcriptHash(suite, this.view[to])));
        this.view[to].push(forged);
        return new Tls12Keys(suite, receiverLine, editor.serverRandom).seal(from, 0, ContentType.handshake, forged);
      };
      const receiverLine = this.keylogLine(to);
      if (receiverLine !== undefined) return [forge(receiverLine)];
      // The receiver (a server reading the client's flight) derives its master secret from this very
      // flight: hold the Finished back until its key log has the secret, then deliver it alone.
      void (async () => {
        const deadline = Date.now() + 5000;
        while (this.keylogLine(to) === undefined && Date.now() < deadline) await new Promise((res) => setTimeout(res, 1));
        const line = this.keylogLine(to);
        if (line !== undefined) this.pair()[to].conn.receive(encodeRecord(forge(line)));
      })();
      return [];
    });
    editor.onHandshake((m, from) => {
      const raw = frameHandshake(m.type, m.body);
      const changed = rewrite(raw, from);
      const out = changed ?? raw;
      if (changed !== undefined) this.rewritten++;
      this.view[from].push(raw);
      this.view[other(from)].push(out);
      return changed === undefined ? undefined : [{ type: ContentType.handshake, version: 0x0303, body: out } satisfies Rec];
    });
  }

  private keylogLine(side: Side): string | undefined {
    return this.pair()[side].keylog.find((l) => l.startsWith('CLIENT_RANDOM '));
  }
}
