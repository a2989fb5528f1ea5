/**
 * Sessions as the Node API hands them out: opaque bytes (a Buffer), made by
 * the engine's session codec (src/handshake/tickets.ts). Unparseable bytes are
 * ignored, as node:tls ignores a bad `session` option: a full handshake follows.
 */
import type { SessionState } from '../config.js';
import { decodeSession, encodeSession } from '../handshake/tickets.js';

export function encodeSessionBytes(s: SessionState): Uint8Array {
  return encodeSession(s);
}

export function decodeSessionBytes(b: Uint8Array): SessionState | undefined {
  try {
    return decodeSession(b);
  } catch {
    return undefined;
  }
}
