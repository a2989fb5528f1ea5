/**
 * Command-line parsing for the ts-tls CLI: node:util's parseArgs plus a help
 * text generated from the same option table, and one error type for usage
 * mistakes (exit code 2) and one for failures (exit code 1).
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder for the value in the help text ("FILE", "HOST:PORT"). */
  readonly arg?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Extra help after the options (examples). */
  readonly epilog?: string;
}

/** A mistake on the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure while doing the work: one line, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  readonly values: ParsedValues;
  readonly positionals: string[];
  readonly help: boolean;
}

export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  try {
    // `--trace=json` (the documented spelling) and `--trace=text` are aliases of `--trace-json` and `--trace`.
    const args = argv.map((a) => (a === '--trace=json' ? '--trace-json' : a === '--trace=text' ? '--trace' : a));
    const r = parseArgs({ args, options, allowPositionals: true, strict: true });
    const values = r.values as ParsedValues;
    return { values, positionals: r.positionals, help: values['help'] === true };
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(msg);
  }
}

export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, '', 'Options:'];
  const rows: [string, string][] = [];
  for (const [name, o] of Object.entries(spec.options)) {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    rows.push([flag, o.help + (o.multiple ? ' (repeatable)' : '')]);
  }
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  for (const [f, h] of rows) lines.push(`  ${f.padEnd(width)}${h}`);
  if (spec.epilog) lines.push('', spec.epilog);
  return lines.join('\n') + '\n';
}

export const str = (v: ParsedValues, k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
export const bool = (v: ParsedValues, k: string): boolean => v[k] === true;
export const list = (v: ParsedValues, k: string): string[] => {
  const x = v[k];
  return Array.isArray(x) ? x : typeof x === 'string' ? [x] : [];
};
