/**
 * The inspector: an HTTPS page showing visitors their own handshake.
 *
 *   const server = createInspectorServer({ cert, key });
 *   server.listen(8443);
 *
 * "/" is the HTML page, "/json" the same data as JSON.
 */
import type * as http from 'node:http';
import type * as http2 from 'node:http2';
import { DEFAULT_CIPHER_SUITES, DEFAULT_GROUPS } from '../config.js';
import { parseAlpn, parseGroups, parseSuites, certifiedKeys } from '../node/options.js';
import { createServer, type Server, type ServerOptions } from '../https/server.js';
import { recordOf, recordSocket } from './record.js';
import { inspectorJson, renderInspectorPage, type InspectorView, type ServerPreferences } from './page.js';

export { analyzeClientHello, type HelloAnalysis } from './hello.js';
export { ja3, ja4, type Ja3, type Ja4 } from './fingerprint.js';
export { recordSocket, recordOf, type ConnectionRecord, type WireMessage } from './record.js';
export { renderInspectorPage, inspectorJson, explain, sequenceDiagram, type InspectorView, type ServerPreferences } from './page.js';

export function serverPreferences(o: ServerOptions): ServerPreferences {
  let keyDescription: string | undefined;
  try {
    const k = certifiedKeys(o)[0]?.key;
    if (k) keyDescription = k.kind === 'ec' ? `ECDSA ${k.curve ?? `${k.bits}-bit`}` : k.kind === 'rsa' ? `RSA ${k.bits}` : k.kind;
  } catch {
    keyDescription = undefined;
  }
  return {
    suites: parseSuites(o) ?? DEFAULT_CIPHER_SUITES,
    groups: parseGroups(o) ?? DEFAULT_GROUPS,
    alpn: o.ALPNProtocols ? parseAlpn(o.ALPNProtocols) : o.allowHTTP2 === false ? ['http/1.1'] : ['h2', 'http/1.1'],
    minVersion: o.minVersion ?? 'TLSv1.2',
    maxVersion: o.maxVersion ?? 'TLSv1.3',
    ...(keyDescription ? { keyDescription } : {}),
  };
}

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

/** The request handler for a server built with `trace: true` and `onSocket: recordSocket`. */
export function inspectorHandler(server: Server, prefs: ServerPreferences): (req: Req, res: Res) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'https://inspector.invalid');
    const socket = server.tlsSocketOf(req);
    const record = socket ? recordOf(socket) : undefined;
    const send = (status: number, type: string, body: string): void => {
      const buf = Buffer.from(body, 'utf8');
      res.writeHead(status, { 'content-type': type, 'content-length': String(buf.length), 'cache-control': 'no-store' });
      res.end(buf);
    };
    if (url.pathname === '/favicon.ico') return send(404, 'text/plain; charset=utf-8', 'no icon\n');
    if (!socket || !record) return send(500, 'text/plain; charset=utf-8', 'this connection was not recorded (server needs trace: true)\n');
    const view: InspectorView = {
      record,
      summary: socket.getHandshakeSummary(),
      server: prefs,
      request: {
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        httpVersion: req.httpVersion,
        userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
        remoteAddress: socket.remoteAddress,
      },
    };
    if (url.pathname === '/json') return send(200, 'application/json; charset=utf-8', JSON.stringify(inspectorJson(view), null, 2) + '\n');
    if (url.pathname !== '/') return send(404, 'text/plain; charset=utf-8', `not found: ${url.pathname}\n`);
    send(200, 'text/html; charset=utf-8', renderInspectorPage(view));
  };
}

/** An HTTPS server (HTTP/1.1 and h2) that serves the inspector page. */
export function createInspectorServer(options: ServerOptions): Server {
  const o: ServerOptions = { ...options, trace: true };
  const userOnSocket = options.onSocket;
  o.onSocket = (s) => {
    recordSocket(s);
    userOnSocket?.(s);
  };
  const server = createServer(o);
  server.on('request', inspectorHandler(server, serverPreferences(o)));
  return server;
}
