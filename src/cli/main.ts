#!/usr/bin/env node
/**
 * The ts-tls command line: connect, serve, get, cert, demo.
 * Exit codes: 0 success, 1 failure (one line on stderr says what and which alert), 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, UsageError } from './args.js';
import { describeError, processIO, type CliIO } from './common.js';
import { runCert } from './cert.js';
import { runConnect } from './connect.js';
import { runDemo } from './demo.js';
import { runGet } from './get.js';
import { runServe } from './serve.js';

const COMMANDS: Record<string, { run: (argv: readonly string[], io: CliIO) => Promise<number>; summary: string }> = {
  connect: { run: runConnect, summary: 'open a TLS connection, like openssl s_client' },
  serve: { run: runServe, summary: 'accept TLS connections, like openssl s_server (--www: the inspector page)' },
  get: { run: runGet, summary: 'make an HTTPS request, like curl' },
  cert: { run: runCert, summary: 'make a CA, certificates, CSRs; sign CSRs (like mkcert)' },
  demo: { run: runDemo, summary: 'offline tour: three handshakes compared (what npm start runs)' },
};

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '?';
  } catch {
    return '?';
  }
}

export const TOP_HELP = `Usage: ts-tls <command> [options]

TLS 1.2 / TLS 1.3 in TypeScript, from the command line.

Commands:
${Object.entries(COMMANDS)
  .map(([k, c]) => `  ${k.padEnd(9)}${c.summary}`)
  .join('\n')}

Run "ts-tls <command> --help" for a command's options.
SSLKEYLOGFILE=FILE makes every command append its TLS secrets to FILE (as browsers and curl do).
`;

export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.stdout.write(TOP_HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-V') {
    io.stdout.write(`ts-tls ${version()}\n`);
    return 0;
  }
  const c = COMMANDS[cmd];
  try {
    if (!c) throw new UsageError(`unknown command "${cmd}"`);
    return await c.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`ts-tls${c ? ` ${cmd}` : ''}: ${e.message}\nTry "ts-tls ${c ? `${cmd} ` : ''}--help".\n`);
      return 2;
    }
    io.stderr.write(`ts-tls ${cmd}: ${e instanceof CliError ? e.message : describeError(e)}\n`);
    return e instanceof CliError ? e.exitCode : 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1])) {
  // If the event loop drains while a command is still waiting, that is a bug: say so instead of exiting 0.
  let settled = false;
  process.once('beforeExit', () => {
    if (settled) return;
    process.stderr.write(`ts-tls ${process.argv[2] ?? ''}: ended without a result (the connection went away unnoticed)\n`);
    process.exit(1);
  });
  const code = await main(process.argv.slice(2));
  settled = true;
  process.exitCode = code;
  // Done (serve returns after SIGINT/SIGTERM): don't wait for stdin or idle sockets.
  setImmediate(() => process.exit(code));
}
