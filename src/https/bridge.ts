/**
 * A Duplex between a TLSSocket and node:http2.
 *
 * node:http2 runs its sessions on stream handles written in C++; a socket
 * without one (anything but a net.Socket or a node:tls socket, so ours) is
 * wrapped in its internal JSStreamSocket. That wrapper cannot be avoided, and
 * it has a state machine with assertions (ERR_INTERNAL_ASSERTION, uncaught:
 * the process dies) that a stream must not trip. Node 20's is strict about two
 * things:
 *
 * - A write after a shutdown. When the wrapped stream ends its readable side,
 *   the wrapper (a net.Socket with allowHalfOpen false) shuts down its
 *   writable side at once, but the HTTP/2 session, which writes from C++
 *   whenever it has frames, keeps writing: the next write asserts. HTTP/2 has
 *   no half-close (RFC 9113 §5.1 half-closes streams, never the connection), so
 *   the bridge never ends its readable side: the peer's end of input
 *   (close_notify or FIN) closes the bridge instead, which the wrapper handles
 *   by cancelling whatever is pending. Responses in flight are lost, as they
 *   are when a client half-closes a node:http2 server's TCP socket.
 * - An 'error' while a write is in flight (the session then writes a GOAWAY
 *   into the same wrapper). The bridge never emits 'error': a failed TLSSocket
 *   closes it. The TLS error stays available as `bridge.tlsError` (and on the
 *   TLSSocket).
 *
 * Closing the bridge (node:http2 is done with the connection, or the peer
 * ended it) ends the TLSSocket gracefully, with close_notify and FIN, and
 * destroys it if the peer has not closed its side within
 * HTTP2_CLOSE_GRACE_MS. test/https/h2-abrupt-close.test.ts replays hundreds of
 * abrupt closes, half-closes and resets with requests in flight.
 */
import { Duplex } from 'node:stream';
import { HTTP2_CLOSE_GRACE_MS } from '../limits.js';
import type { TLSSocket } from '../node/tlssocket.js';

export interface Http2Bridge extends Duplex {
  readonly tls: TLSSocket;
  /** What node:http2's server checks to pick HTTP/2. */
  readonly alpnProtocol: string | false;
  readonly encrypted: true;
  tlsError: Error | undefined;
}

/** End a TLSSocket nobody will write to again: close_notify and FIN now, destroyed if the peer lingers. */
function retire(socket: TLSSocket): void {
  if (socket.destroyed) return;
  if (!socket.writableEnded) socket.end();
  const timer = setTimeout(() => socket.destroy(), HTTP2_CLOSE_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

export function http2Bridge(socket: TLSSocket): Http2Bridge {
  const bridge = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      // Once the TLS side can take no more, frames are dropped (the connection is going), never an error.
      if (socket.destroyed || !socket.writable) return cb();
      socket.write(chunk, () => cb());
    },
    final(cb) {
      retire(socket);
      cb();
    },
    destroy(_err, cb) {
      retire(socket);
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
  // No half-close in HTTP/2: the peer's end of input closes the connection (see above).
  socket.on('end', () => {
    if (!bridge.destroyed) bridge.destroy();
  });
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
