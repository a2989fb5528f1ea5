/**
 * ts-tls connect HOST:PORT — like `openssl s_client`: a TLS connection with
 * stdin going to the server and the server's bytes to stdout; what was
 * negotiated (and the peer's chain) on stderr.
 */
import { writeFileSync } from 'node:fs';
import { connect } from '../node/connect.js';
import type { ConnectOptions } from '../node/options.js';
import { CliError, UsageError, helpText, parseCommand, type CommandSpec } from './args.js';
import { TLS_FLAGS, bool, certAndKey, describeError, instrument, readFileFor, str, summaryLines, tlsOptionsFrom, type CliIO } from './common.js';

export const connectSpec: CommandSpec = {
  name: 'connect',
  usage: 'ts-tls connect HOST:PORT [options]',
  summary: 'Open a TLS connection (like openssl s_client). stdin goes to the server, the server\'s data to stdout;\nthe negotiated parameters and the peer\'s certificate chain go to stderr.',
  options: {
    servername: { type: 'string', arg: 'NAME', help: 'SNI and the name to verify (default: HOST unless it is an IP address)' },
    ...TLS_FLAGS,
    insecure: { type: 'boolean', short: 'k', help: 'do not verify the server certificate' },
    'fetch-intermediates': { type: 'boolean', help: 'fetch intermediates the server did not send from their caIssuers URL (http: only, as browsers)' },
    cert: { type: 'string', arg: 'FILE', help: 'client certificate chain (PEM)' },
    key: { type: 'string', arg: 'FILE', help: 'client private key (PEM)' },
    'session-in': { type: 'string', arg: 'FILE', help: 'resume the session saved in FILE' },
    'session-out': { type: 'string', arg: 'FILE', help: 'save the session (ticket) to FILE' },
    'early-data': { type: 'string', arg: 'FILE', help: 'send FILE as TLS 1.3 0-RTT data (needs --session-in)' },
    quiet: { type: 'boolean', short: 'q', help: 'no summary on stderr' },
  },
  epilog: 'Examples:\n  printf \'GET / HTTP/1.0\\r\\n\\r\\n\' | ts-tls connect example.com:443 --alpn http/1.1\n  ts-tls connect localhost:8443 --cafile ca.pem --tls1.3 --trace',
};

export function parseHostPort(s: string | undefined, defaultPort = 443): { host: string; port: number } {
  if (!s) throw new UsageError('missing HOST:PORT');
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) throw new UsageError(`cannot read "${s}" as HOST:PORT`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`bad port in "${s}"`);
  return { host: m[1]!, port };
}

export async function runConnect(argv: readonly string[], io: CliIO): Promise<number> {
  const p = parseCommand(connectSpec, argv);
  if (p.help) {
    io.stdout.write(helpText(connectSpec));
    return 0;
  }
  if (p.positionals.length !== 1) throw new UsageError(p.positionals.length === 0 ? 'missing HOST:PORT' : `unexpected argument ${p.positionals[1]}`);
  const { host, port } = parseHostPort(p.positionals[0]);
  const v = p.values;
  const options: ConnectOptions = { ...tlsOptionsFrom(v), ...certAndKey(v, false), host, port };
  const servername = str(v, 'servername');
  if (servername) options.servername = servername;
  if (bool(v, 'insecure')) options.rejectUnauthorized = false;
  if (bool(v, 'fetch-intermediates')) options.fetchIntermediates = true;
  const sessionIn = str(v, 'session-in');
  if (sessionIn) options.session = readFileFor('--session-in', sessionIn);
  const early = str(v, 'early-data');
  if (early) {
    if (!sessionIn) throw new UsageError('--early-data needs --session-in (0-RTT only works when resuming)');
    options.earlyData = readFileFor('--early-data', early);
  }
  const sessionOut = str(v, 'session-out');
  const quiet = bool(v, 'quiet');

  const socket = connect(options);
  instrument(socket, v, io, 'client');
  let saved = false;
  if (sessionOut) {
    socket.on('session', (s: Buffer) => {
      try {
        writeFileSync(sessionOut, s);
        if (!saved && !quiet) io.stderr.write(`Session saved to ${sessionOut}\n`);
        saved = true;
      } catch (e) {
        io.stderr.write(`ts-tls connect: cannot write --session-out ${sessionOut}: ${(e as Error).message}\n`);
      }
    });
  }

  return new Promise<number>((resolve, reject) => {
    let connected = false;
    socket.once('secureConnect', () => {
      connected = true;
      const s = socket.getHandshakeSummary();
      if (s && !quiet) io.stderr.write(`Connected to ${host}:${port}\n` + summaryLines(s, 'Server').map((l) => `  ${l}`).join('\n') + '\n---\n');
      io.stdin.pipe(socket);
    });
    socket.on('data', (d: Buffer) => io.stdout.write(d));
    socket.once('error', (e: Error) => {
      io.stdin.unpipe(socket);
      reject(new CliError(connected ? `connection to ${host}:${port} failed: ${describeError(e)}` : `handshake with ${host}:${port} failed: ${describeError(e)}`));
    });
    socket.once('close', () => {
      io.stdin.unpipe(socket);
      if (typeof (io.stdin as { unref?: () => void }).unref === 'function') (io.stdin as unknown as { unref: () => void }).unref();
      setImmediate(() => resolve(0));
    });
  });
}
