/**
 * ts-tls serve — like `openssl s_server`: accept TLS connections, print what
 * each negotiated, copy the client's bytes to stdout and stdin to the clients.
 * With --www, serve the inspector page (HTTPS, HTTP/1.1 and h2) instead.
 */
import type { AddressInfo } from 'node:net';
import type { ServerOptions } from '../node/options.js';
import { Server as TLSServer } from '../node/server.js';
import type { TLSSocket } from '../node/tlssocket.js';
import { createInspectorServer } from '../inspector/index.js';
import { CliError, UsageError, helpText, parseCommand, type CommandSpec } from './args.js';
import { TLS_FLAGS, bool, certAndKey, describeError, instrument, str, summaryLines, tlsOptionsFrom, type CliIO } from './common.js';

export const serveSpec: CommandSpec = {
  name: 'serve',
  usage: 'ts-tls serve --cert FILE --key FILE [options]',
  summary: 'Accept TLS connections (like openssl s_server): each client\'s data goes to stdout, stdin to the clients.\nWith --www, serve the inspector page: every visitor sees their own handshake.',
  options: {
    port: { type: 'string', short: 'p', arg: 'N', help: 'port to listen on (default 8443; 0 picks a free one)' },
    host: { type: 'string', arg: 'ADDR', help: 'address to listen on (default 127.0.0.1)' },
    cert: { type: 'string', arg: 'FILE', help: 'certificate chain, leaf first (PEM)' },
    key: { type: 'string', arg: 'FILE', help: 'private key (PEM)' },
    ...TLS_FLAGS,
    verify: { type: 'boolean', help: 'require a client certificate issued by --cafile' },
    www: { type: 'boolean', help: 'serve the inspector page over HTTPS (h2 and http/1.1)' },
    quiet: { type: 'boolean', short: 'q', help: 'no per-connection summary on stderr' },
  },
  epilog: 'Examples:\n  ts-tls serve --cert localhost.pem --key localhost-key.pem --www --port 8443\n  ts-tls serve --cert c.pem --key k.pem --cafile ca.pem --verify --tls1.3 --trace',
};

export async function runServe(argv: readonly string[], io: CliIO, onListening?: (port: number) => void): Promise<number> {
  const p = parseCommand(serveSpec, argv);
  if (p.help) {
    io.stdout.write(helpText(serveSpec));
    return 0;
  }
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument ${p.positionals[0]}`);
  const v = p.values;
  const portText = str(v, 'port') ?? '8443';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`bad --port ${portText}`);
  const host = str(v, 'host') ?? '127.0.0.1';
  const options: ServerOptions = { ...tlsOptionsFrom(v), ...certAndKey(v, true) };
  if (bool(v, 'verify')) {
    if (!options.ca) throw new UsageError('--verify needs --cafile (the CAs client certificates must chain to)');
    options.requestCert = true;
    options.rejectUnauthorized = true;
  }
  const quiet = bool(v, 'quiet');
  const www = bool(v, 'www');
  const clients = new Set<TLSSocket>();
  const onSocket = (s: TLSSocket): void => {
    instrument(s, v, io, 'server');
  };
  let server: TLSServer;
  try {
    server = www ? createInspectorServer({ ...options, onSocket }) : new TLSServer(options);
  } catch (e) {
    throw new CliError(`cannot start the server: ${describeError(e)}`);
  }
  if (!www) {
    const wrap = server.wrap.bind(server);
    server.wrap = (t) => {
      const s = wrap(t);
      onSocket(s);
      return s;
    };
    io.stdin.on('data', (d: Buffer) => {
      for (const c of clients) if (c.writable) c.write(d);
    });
  }
  server.on('secureConnection', (s: TLSSocket) => {
    const summary = s.getHandshakeSummary();
    if (summary && !quiet) io.stderr.write(`Connection from ${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}\n` + summaryLines(summary, 'Client').map((l) => `  ${l}`).join('\n') + '\n');
    if (www) return;
    clients.add(s);
    s.on('data', (d: Buffer) => io.stdout.write(d));
    s.on('end', () => s.end());
    s.once('close', () => {
      clients.delete(s);
      if (!quiet) io.stderr.write(`Connection from ${s.remoteAddress ?? '?'} closed\n`);
    });
  });
  server.on('tlsClientError', (err: Error, s: TLSSocket) => {
    io.stderr.write(`Handshake from ${s.remoteAddress ?? '?'} failed: ${describeError(err)}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new CliError(`cannot listen on ${host}:${port}: ${e.code === 'EADDRINUSE' ? 'address in use' : e.message}`)));
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  io.stderr.write(`Listening on ${www ? 'https' : 'tls'}://${shown}:${actual}/${www ? ' (inspector page)' : ''}\n`);
  onListening?.(actual);
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      server.close();
      for (const c of clients) c.destroy();
      if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') (server.closeAllConnections as () => void)();
      resolve(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
