/**
 * ANSI colours for the text tracer: on for a terminal, off when the output is
 * not a TTY or NO_COLOR is set (https://no-color.org), or when asked.
 */

export interface Palette {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly italic: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly blue: (s: string) => string;
  readonly magenta: (s: string) => string;
  readonly cyan: (s: string) => string;
}

const sgr = (open: string, close: string) => (s: string): string => `\x1b[${open}m${s}\x1b[${close}m`;

export const ANSI: Palette = {
  bold: sgr('1', '22'),
  dim: sgr('2', '22'),
  italic: sgr('3', '23'),
  red: sgr('31', '39'),
  green: sgr('32', '39'),
  yellow: sgr('33', '39'),
  blue: sgr('34', '39'),
  magenta: sgr('35', '39'),
  cyan: sgr('36', '39'),
};

const id = (s: string): string => s;
export const PLAIN: Palette = { bold: id, dim: id, italic: id, red: id, green: id, yellow: id, blue: id, magenta: id, cyan: id };

/**
 * Whether to colour output going to `stream`: only a TTY, and never with
 * NO_COLOR set to a non-empty value. FORCE_COLOR (non-empty, not "0") forces it on.
 */
export function useColor(stream: { readonly isTTY?: boolean } | undefined, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0') return true;
  return stream?.isTTY === true;
}

/** Remove ANSI escape sequences (for tests and width computations). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}
