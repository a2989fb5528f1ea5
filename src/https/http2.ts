/**
 * HTTP/2 client over ts-tls: node:http2's ClientHttp2Session on our TLSSocket
 * (http2.connect's `createConnection`), with ALPN "h2".
 */
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { connect as tlsConnect } from '../node/connect.js';
import type { TLSSocket } from '../node/tlssocket.js';
import type { TLSAgentOptions } from './agent.js';
import { http2Bridge } from './bridge.js';

export interface Http2ConnectOptions extends TLSAgentOptions {
  /** node:http2 session options (settings, maxSessionMemory...). */
  http2?: http2.ClientSessionOptions;
  /** Called with the TLSSocket before the handshake (for 'keylog' / 'trace' listeners). */
  onSocket?: (socket: TLSSocket) => void;
  session?: Uint8Array;
}

/** Open an HTTP/2 session to an https: origin over ts-tls. */
export type TLSClientHttp2Session = http2.ClientHttp2Session & {
  /** The TLSSocket under the session (for getHandshakeSummary(), getPeerCertificate()...). */
  tlsSocket(): TLSSocket | undefined;
};

export function connectHttp2(authority: string | URL, options: Http2ConnectOptions = {}): TLSClientHttp2Session {
  const u = typeof authority === 'string' ? new URL(authority) : authority;
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port ? Number(u.port) : 443;
  const { http2: sessionOptions, onSocket, ...tls } = options;
  let tlsSocket: TLSSocket | undefined;
  const session = http2.connect(u, {
    ...(sessionOptions ?? {}),
    createConnection: () => {
      const transport = net.connect({ host, port });
      const socket = tlsConnect({
        ...tls,
        ALPNProtocols: tls.ALPNProtocols ?? ['h2'],
        host,
        port,
        socket: transport,
        ...(tls.servername || net.isIP(host) ? {} : { servername: host }),
      });
      tlsSocket = socket;
      onSocket?.(socket);
      // Through the bridge (see bridge.ts); a TLS failure reaches the session once the socket is closed.
      const bridge = http2Bridge(socket);
      socket.once('close', () =>
        setImmediate(() => {
          if (bridge.tlsError && !session.destroyed) session.destroy(bridge.tlsError);
        }),
      );
      return bridge;
    },
  });
  return Object.assign(session, { tlsSocket: () => tlsSocket });
}
