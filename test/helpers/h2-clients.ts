/**
 * HTTP/2 clients (node:tls + node:http2) that leave a server abruptly while
 * its responses are in flight, and a well-behaved one to check it still
 * serves. Used by test/https/h2-abrupt-close.test.ts and bench/soak.ts.
 */
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as tls from 'node:tls';

/**
 * How an abrupt client leaves:
 * - close-notify: TLS close_notify then FIN (a TLS-level half-close, which HTTP/2 does not have);
 * - fin: TCP FIN without close_notify (a TCP half-close);
 * - destroy: the socket closed at once;
 * - reset: TCP RST (SO_LINGER 0);
 * - idle-end: close_notify right after the handshake, before any request (the server's SETTINGS are in flight);
 * - garbage: bytes that are not HTTP/2 frames after the requests (a session error), then FIN.
 */
export type AbruptMode = 'close-notify' | 'fin' | 'destroy' | 'reset' | 'idle-end' | 'garbage';
export const ABRUPT_MODES: readonly AbruptMode[] = ['close-notify', 'fin', 'destroy', 'reset', 'idle-end', 'garbage'];

/** An HTTP/2 frame (RFC 9113 §4.1). */
function frame(type: number, flags: number, stream: number, payload: Uint8Array): Buffer {
  const f = Buffer.alloc(9 + payload.length);
  f.writeUIntBE(payload.length, 0, 3);
  f[3] = type;
  f[4] = flags;
  f.writeUInt32BE(stream, 5);
  f.set(payload, 9);
  return f;
}

/**
 * The client's side of a connection that asks for `requests` GETs of `path` at once: preface,
 * SETTINGS (a 16 MiB stream window), a 16 MiB connection WINDOW_UPDATE (so responses flow
 * without waiting for us), then one HEADERS frame per request (RFC 7541 static-table and literal
 * fields, no Huffman).
 */
export function h2RequestBytes(requests: number, path: string): Buffer {
  const window = 16 << 20;
  const settings = Buffer.alloc(6);
  settings.writeUInt16BE(0x4, 0); // SETTINGS_INITIAL_WINDOW_SIZE
  settings.writeUInt32BE(window, 2);
  const update = Buffer.alloc(4);
  update.writeUInt32BE(window, 0);
  const literal = (nameIndex: number, value: string): Buffer => Buffer.concat([Buffer.from([nameIndex, value.length]), Buffer.from(value, 'latin1')]);
  // :method GET (2), :scheme https (7), :path (literal without indexing, name 4), :authority (name 1).
  const block = Buffer.concat([Buffer.from([0x82, 0x87]), literal(0x04, path), literal(0x01, 'localhost')]);
  const out = [Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), frame(0x4, 0, 0, settings), frame(0x8, 0, 0, update)];
  for (let i = 0; i < requests; i++) out.push(frame(0x1, 0x5, 2 * i + 1, block)); // END_STREAM | END_HEADERS
  return Buffer.concat(out);
}

/**
 * Connect with ALPN h2, send `requests` GETs of `path` (raw frames: node's own http2 client
 * cannot be ended under a live session without tripping its own assertions), then leave `mode`'s
 * way after `delayMs`, or as soon as the first response bytes arrive if sooner. Resolves when
 * the TCP socket is closed; never rejects (the server's reaction is what is under test).
 */
export function abruptH2Client(port: number, mode: AbruptMode, opts: { requests?: number; delayMs?: number; path?: string } = {}): Promise<void> {
  return new Promise((resolve) => {
    const raw = net.connect(port, '127.0.0.1');
    raw.on('error', () => {});
    const socket = tls.connect({ socket: raw, servername: 'localhost', ALPNProtocols: ['h2'], rejectUnauthorized: false });
    socket.on('error', () => {});
    let left = false;
    const leave = (): void => {
      if (left) return;
      left = true;
      switch (mode) {
        case 'close-notify':
        case 'idle-end':
          socket.end();
          break;
        case 'fin':
          raw.end();
          break;
        case 'destroy':
          socket.destroy();
          break;
        case 'reset':
          raw.resetAndDestroy();
          break;
        case 'garbage':
          socket.end(frame(0xff, 0, 0, Buffer.from('junk')).subarray(0, 11));
          break;
      }
    };
    const guard = setTimeout(() => raw.destroy(), 5000);
    raw.once('close', () => {
      clearTimeout(guard);
      resolve();
    });
    socket.once('secureConnect', () => {
      if (mode === 'idle-end') return leave();
      socket.write(h2RequestBytes(opts.requests ?? 4, opts.path ?? '/big'));
      let seen = 0;
      socket.on('data', (d: Buffer) => {
        // The server's SETTINGS come first; anything more is a response.
        seen += d.length;
        if (seen > 64) leave();
      });
      setTimeout(leave, opts.delayMs ?? 0);
    });
  });
}

/** One HTTP/2 GET of `path` on a fresh connection; resolves with the status and body. */
export function h2Get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://localhost:${port}`, {
      createConnection: () => tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ALPNProtocols: ['h2'], rejectUnauthorized: false }),
    });
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let status = 0;
    let body = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('error', reject);
    req.on('end', () => {
      session.close();
      resolve({ status, body });
    });
    req.end();
  });
}
