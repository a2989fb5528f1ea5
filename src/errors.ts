/**
 * TLSError: the one error type the engine raises.
 *
 * Every failure carries a stable `code` (for programs) and, when the protocol
 * was involved, the alert that was sent to or received from the peer (for
 * people and for tests). A failed check throws `alertError('decode_error',
 * 'what went wrong')`; the connection sends that alert and closes.
 */
import { AlertDescription, alertName, type AlertName } from './registry.js';

export interface AlertInfo {
  readonly name: string;
  readonly number: number;
  /** Whether we sent the alert or received it from the peer. */
  readonly direction: 'sent' | 'received';
}

export class TLSError extends Error {
  override readonly name = 'TLSError';
  /** Stable machine-readable code, e.g. ERR_TLS_ALERT_HANDSHAKE_FAILURE, ERR_TLS_ALERT_RECEIVED, CERT_HAS_EXPIRED. */
  readonly code: string;
  readonly alert: AlertInfo | undefined;

  constructor(message: string, code: string, alert?: AlertInfo, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.alert = alert;
  }
}

/** The code for an alert we send: ERR_TLS_ALERT_<NAME>. */
export function alertCode(name: string): string {
  return 'ERR_TLS_ALERT_' + name.toUpperCase();
}

/**
 * An error that makes us send the fatal alert `name`. `code` defaults to the
 * alert's own code; certificate failures pass the verifier's code instead.
 */
export function alertError(name: AlertName, message: string, code?: string, cause?: unknown): TLSError {
  return new TLSError(
    `${message} (sent alert ${name})`,
    code ?? alertCode(name),
    { name, number: AlertDescription[name], direction: 'sent' },
    cause === undefined ? undefined : { cause },
  );
}

/** An error for a fatal alert the peer sent us. */
export function receivedAlertError(number: number): TLSError {
  const name = alertName(number);
  return new TLSError(`peer sent fatal alert ${name} (${number})`, 'ERR_TLS_ALERT_RECEIVED', {
    name,
    number,
    direction: 'received',
  });
}

export function isTLSError(e: unknown): e is TLSError {
  return e instanceof TLSError;
}
