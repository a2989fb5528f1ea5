/**
 * Session (de)serialisation for the Node API's Buffer sessions. The TLS 1.3
 * work provides the real codec in src/handshake/tickets.ts; until then a
 * JSON form keeps 1.2 sessions usable.
 */
import type { SessionState } from '../config.js';

export function encodeSessionBytes(s: SessionState): Uint8Array {
  const json = JSON.stringify(s, (_k, v: unknown) => (v instanceof Uint8Array ? { $b: Buffer.from(v).toString('base64') } : v));
  return new TextEncoder().encode(json);
}

export function decodeSessionBytes(b: Uint8Array): SessionState | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(b), (_k, v: unknown) =>
      v && typeof v === 'object' && '$b' in v ? new Uint8Array(Buffer.from((v as { $b: string }).$b, 'base64')) : v,
    ) as SessionState;
  } catch {
    return undefined;
  }
}
