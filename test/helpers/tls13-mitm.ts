/**
 * A man in the middle for TLS 1.3 pairs in memory: it follows each side's
 * traffic keys from that side's key log (the sender logs a secret before the
 * first record under it leaves), opens every protected record, lets a test
 * rewrite, drop or add records, and seals the result again with the same
 * keys so the receiver sees valid records carrying hostile content.
 *
 *   const mitm = new Tls13Mitm();
 *   const pair = connectPair(client, server, { tamper: mitm.tamper });
 *   mitm.attach(pair);
 *   mitm.onRecord((r, ctx) => ...);
 *
 * Every handshake message we send travels in its own record, so a rewrite
 * of a record is a rewrite of one message. Only the AEAD of the suite given
 * to the constructor is followed (pin the suite in the test's config).
 */
import type { Pair } from './pair.js';
import { splitRecords, joinRecords, type Rec } from './hostile.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { protector13 } from '../../src/handshake/common.js';
import { trafficKeys13 } from '../../src/handshake/keyschedule13.js';
import type { RecordProtector } from '../../src/record/protection.js';
import { ContentType, cipherSuiteInfo, type CipherSuiteInfo } from '../../src/registry.js';

type Side = 'client' | 'server';
export type Epoch = 'plaintext' | 'early' | 'handshake' | 'application';

/** A record's content: for protected records the inner type and plaintext. */
export interface Inner {
  readonly type: number;
  readonly fragment: Uint8Array;
  /** Zero padding to add inside a protected record (RFC 8446 §5.4). */
  readonly padding?: number;
}

/** What a rewrite returns: inner records to seal under the same epoch, or `raw` records sent as they are. */
export type Out = Inner | { readonly raw: Rec };

export interface RecordContext {
  readonly from: Side;
  readonly epoch: Epoch;
  /** Index of this record among those `from` sent under `epoch`. */
  readonly index: number;
}

export type RecordRewrite = (r: Inner, ctx: RecordContext) => Out[] | undefined;

const LABELS: Record<Side, Record<Exclude<Epoch, 'plaintext'>, string>> = {
  client: { early: 'CLIENT_EARLY_TRAFFIC_SECRET', handshake: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', application: 'CLIENT_TRAFFIC_SECRET_0' },
  server: { early: 'SERVER_EARLY_NONE', handshake: 'SERVER_HANDSHAKE_TRAFFIC_SECRET', application: 'SERVER_TRAFFIC_SECRET_0' },
};
const ORDER: Exclude<Epoch, 'plaintext'>[] = ['early', 'handshake', 'application'];

interface Direction {
  epoch: Epoch;
  opener: RecordProtector | null;
  sealer: RecordProtector | null;
  counts: Map<Epoch, number>;
}

export class Tls13Mitm {
  private pair: Pair | undefined;
  private readonly suite: CipherSuiteInfo;
  private readonly rewrites: RecordRewrite[] = [];
  private readonly dir: Record<Side, Direction> = {
    client: { epoch: 'plaintext', opener: null, sealer: null, counts: new Map() },
    server: { epoch: 'plaintext', opener: null, sealer: null, counts: new Map() },
  };
  /** Body lengths of the protected records each side sent (before rewriting). */
  readonly sizes: { client: number[]; server: number[] } = { client: [], server: [] };
  /** Every record each side sent, as the mitm saw it (before rewriting). */
  readonly seen: { client: (Inner & { epoch: Epoch })[]; server: (Inner & { epoch: Epoch })[] } = { client: [], server: [] };

  constructor(suite = 0x1301) {
    this.suite = cipherSuiteInfo(suite)!;
  }

  attach(pair: Pair): this {
    this.pair = pair;
    return this;
  }

  onRecord(fn: RecordRewrite): this {
    this.rewrites.push(fn);
    return this;
  }

  private secret(from: Side, epoch: Exclude<Epoch, 'plaintext'>): Uint8Array | undefined {
    const lines = this.pair![from].keylog;
    const label = LABELS[from][epoch];
    const line = lines.find((l) => l.startsWith(label + ' '));
    return line === undefined ? undefined : Uint8Array.from(Buffer.from(line.split(' ')[2]!, 'hex'));
  }

  private protector(secret: Uint8Array): RecordProtector {
    const { key, iv } = trafficKeys13(defaultProvider, this.suite.hash, this.suite.aead, secret);
    return protector13(defaultProvider, this.suite, key, iv);
  }

  /** Switch `from`'s direction to `epoch` (fresh protectors at sequence 0). */
  private enter(from: Side, epoch: Exclude<Epoch, 'plaintext'>): boolean {
    const secret = this.secret(from, epoch);
    if (secret === undefined) return false;
    const d = this.dir[from];
    d.epoch = epoch;
    d.opener = this.protector(secret);
    d.sealer = this.protector(secret);
    return true;
  }

  /** Open a protected record, following `from` into later epochs; undefined when no key we know opens it. */
  private open(from: Side, r: Rec): { inner: Inner; epoch: Epoch } | undefined {
    const d = this.dir[from];
    const tryOpen = (): Inner | undefined => {
      try {
        return d.opener?.open(r.type, r.body);
      } catch {
        return undefined;
      }
    };
    let inner = tryOpen();
    const start = d.epoch === 'plaintext' ? 0 : ORDER.indexOf(d.epoch) + 1;
    for (let i = start; inner === undefined && i < ORDER.length; i++) {
      if (this.enter(from, ORDER[i]!)) inner = tryOpen();
    }
    return inner === undefined ? undefined : { inner, epoch: d.epoch };
  }

  private seal(from: Side, out: Out): Rec[] {
    if ('raw' in out) return [out.raw];
    const d = this.dir[from];
    if (d.sealer === null) return [{ type: out.type, version: 0x0303, body: out.fragment }];
    return splitRecords(d.sealer.seal(out.type, out.fragment, out.padding ?? 0));
  }

  readonly tamper = (from: Side, bytes: Uint8Array): Uint8Array | null => {
    const out: Rec[] = [];
    for (const r of splitRecords(bytes)) {
      const isProtected =
        r.type === ContentType.application_data &&
        (this.dir[from].epoch !== 'plaintext' || this.secret(from, 'early') !== undefined || this.secret(from, 'handshake') !== undefined);
      let inner: Inner = { type: r.type, fragment: r.body };
      let epoch: Epoch = 'plaintext';
      if (isProtected) {
        this.sizes[from].push(r.body.length);
        const opened = this.open(from, r);
        if (opened === undefined) {
          out.push(r); // not for us to read (e.g. under keys the peer will never have): pass it on untouched
          continue;
        }
        ({ inner, epoch } = opened);
      }
      const counts = this.dir[from].counts;
      const index = counts.get(epoch) ?? 0;
      counts.set(epoch, index + 1);
      this.seen[from].push({ ...inner, epoch });
      let replaced: Out[] | undefined;
      for (const fn of this.rewrites) {
        replaced = fn(inner, { from, epoch, index });
        if (replaced) break;
      }
      if (!isProtected) {
        out.push(...(replaced ?? [inner]).flatMap((o) => ('raw' in o ? [o.raw] : [{ type: o.type, version: r.version, body: o.fragment }])));
      } else {
        for (const o of replaced ?? [inner]) out.push(...this.seal(from, o));
      }
    }
    return out.length === 0 ? null : joinRecords(out);
  };

  /** Seal `inner` as `from`'s next record under its current keys (for a rewrite that then returns it raw). */
  sealRaw(from: Side, inner: Inner): Rec {
    const [r] = this.seal(from, inner);
    return r!;
  }

  /**
   * Send records as `from` straight to its peer, sealed under `from`'s
   * `epoch` keys (entered now if the mitm is not there yet).
   */
  inject(from: Side, epoch: Exclude<Epoch, 'plaintext'> | 'plaintext', records: Out[]): void {
    if (epoch !== 'plaintext' && this.dir[from].epoch !== epoch && !this.enter(from, epoch)) throw new Error(`mitm: no ${epoch} secret for ${from}`);
    const recs = records.flatMap((o) => (epoch === 'plaintext' && !('raw' in o) ? [{ type: o.type, version: 0x0303, body: o.fragment }] : this.seal(from, o)));
    const to = from === 'client' ? this.pair!.server : this.pair!.client;
    to.conn.receive(joinRecords(recs));
  }
}
