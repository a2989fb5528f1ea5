/**
 * Tracing and key logging.
 *
 * - {@link createTracer}: a per-connection formatter for the engine's trace events
 *   (Wireshark-style text, or JSON lines). Turn `trace: true` on in the config and
 *   set `sink.trace = tracer.onEvent`; with trace off the engine builds no events.
 * - {@link formatHandshakeMessage} / {@link decodeHandshakeMessage}: one message alone.
 * - {@link keyLogFileWriter} / {@link keyLogFromEnv} / {@link parseKeyLog}: NSS key logs.
 */
import { useColor } from './color.js';
import { createTracer, type Tracer, type TracerOptions } from './formatter.js';

export { createTracer, formatHandshakeMessage, TraceFormatter, type Tracer, type TracerOptions, type TraceState } from './formatter.js';
export { decodeHandshakeMessage, decodeExtension, type DecodedMessage, type MessageContext } from './decode.js';
export { explainHandshake, explainAlert, explainChangeCipherSpec, explainApplicationData } from './explain.js';
export { keyLogFileWriter, keyLogFromEnv, parseKeyLog, findKeyLogSecret, KEY_LOG_LABELS, type KeyLogEntry } from './keylog.js';
export { useColor, stripAnsi } from './color.js';
export { shortHex, toHex, nodeToJson, type TraceNode, type TraceNodeJson } from './tree.js';

/** What a CLI's `--trace` / `--trace=json` flag asks for (undefined: no tracing). */
export function parseTraceFlag(value: string | boolean | undefined): 'text' | 'json' | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true || value === '' || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new RangeError(`--trace must be "text" or "json", not ${JSON.stringify(value)}`);
}

/**
 * A tracer writing lines to a stream (stderr by default), coloured when the
 * stream is a TTY and NO_COLOR is unset — unless `color` says otherwise.
 */
export function streamTracer(
  options: Partial<Omit<TracerOptions, 'write'>> & { readonly stream?: NodeJS.WritableStream & { readonly isTTY?: boolean } } = {},
): Tracer {
  const stream = options.stream ?? process.stderr;
  const { stream: _s, ...rest } = options;
  return createTracer({
    ...rest,
    color: options.color ?? (options.format !== 'json' && useColor(stream)),
    write: (line) => {
      stream.write(line + '\n');
    },
  });
}
