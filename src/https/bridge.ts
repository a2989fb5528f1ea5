/**
 * A Duplex between a TLSSocket and node:http2.
 *
 * node:http2 wraps any non-net stream in its internal JSStreamSocket. On
 * Node 20, an 'error' from the wrapped stream while one of its writes is in
 * flight makes the session write a GOAWAY into that same JSStreamSocket and
 * trips an internal assertion (ERR_INTERNAL_ASSERTION, which kills the
 * process). So the bridge never emits 'error': a failed TLSSocket simply
 * closes it, which JSStreamSocket handles by cancelling pending writes.
 * The TLS error stays available as `bridge.tlsError` (and on the TLSSocket).
 */
import { Duplex } from 'node:stream';
import type { TLSSocket } from '../node/tlssocket.js';

export interface Http2Bridge extends Duplex {
  readonly tls: TLSSocket;
  /** What node:http2's server checks to pick HTTP/2. */
  readonly alpnProtocol: string | false;
  readonly encrypted: true;
  tlsError: Error | undefined;
}

export function http2Bridge(socket: TLSSocket): Http2Bridge {
  const bridge = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (socket.destroyed || !socket.writable) return cb();
      socket.write(chunk, () => cb());
    },
    final(cb) {
      if (!socket.destroyed) socket.end();
      cb();
    },
    destroy(_err, cb) {
      if (!socket.destroyed) socket.destroy();
      cb(null);
    },
  }) as Http2Bridge;
  Object.defineProperties(bridge, {
    tls: { value: socket },
    alpnProtocol: { get: () => socket.alpnProtocol },
    encrypted: { value: true },
  });
  bridge.tlsError = undefined;
  socket.on('data', (chunk: Buffer) => {
    if (!bridge.push(chunk)) socket.pause();
  });
  socket.on('end', () => bridge.push(null));
  socket.on('error', (err: Error) => {
    bridge.tlsError = err;
  });
  socket.on('close', () => {
    if (!bridge.destroyed) bridge.destroy();
  });
  if (socket.destroyed) {
    // Already gone (e.g. a fatal alert right after the handshake): close once the caller has attached.
    bridge.tlsError = socket.connection.error;
    process.nextTick(() => bridge.destroy());
  }
  return bridge;
}
