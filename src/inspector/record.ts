/**
 * What the server saw of one connection, from the socket's 'trace' events:
 * the raw ClientHello (decoded), every handshake message in order with its
 * direction and whether it travelled encrypted, and byte counts.
 *
 * Needs a server created with `trace: true`.
 */
import type { TraceEvent } from '../connection.js';
import type { TLSSocket } from '../node/tlssocket.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../messages/handshake.js';
import { ContentType, HandshakeType, alertName, handshakeTypeName } from '../registry.js';
import { analyzeClientHello, type HelloAnalysis } from './hello.js';

/** One arrow of the sequence diagram. 'received' = client → server (the server's view). */
export interface WireMessage {
  readonly direction: 'sent' | 'received';
  readonly kind: 'handshake' | 'change_cipher_spec' | 'alert' | 'application_data';
  /** Display name: "ClientHello", "ChangeCipherSpec", "Application Data", "Alert (close_notify)". */
  readonly name: string;
  readonly handshakeType?: number;
  /** Bytes of the message (handshake: header + body; application data: plaintext). */
  length: number;
  /** Sent under record protection. */
  encrypted: boolean;
  /** Consecutive application-data records folded into one arrow. */
  count: number;
}

export interface ConnectionRecord {
  readonly startedAt: number;
  clientHello: HelloAnalysis | undefined;
  /** Why the ClientHello could not be decoded, if it could not. */
  helloError: string | undefined;
  /** A second ClientHello came (after a HelloRetryRequest). */
  helloRetried: boolean;
  readonly messages: WireMessage[];
  /** Record bytes (headers included) each way. */
  bytesReceived: number;
  bytesSent: number;
}

const TITLES: Record<number, string> = {
  [HandshakeType.client_hello]: 'ClientHello',
  [HandshakeType.server_hello]: 'ServerHello',
  [HandshakeType.new_session_ticket]: 'NewSessionTicket',
  [HandshakeType.end_of_early_data]: 'EndOfEarlyData',
  [HandshakeType.encrypted_extensions]: 'EncryptedExtensions',
  [HandshakeType.certificate]: 'Certificate',
  [HandshakeType.server_key_exchange]: 'ServerKeyExchange',
  [HandshakeType.certificate_request]: 'CertificateRequest',
  [HandshakeType.server_hello_done]: 'ServerHelloDone',
  [HandshakeType.certificate_verify]: 'CertificateVerify',
  [HandshakeType.client_key_exchange]: 'ClientKeyExchange',
  [HandshakeType.finished]: 'Finished',
  [HandshakeType.key_update]: 'KeyUpdate',
  [HandshakeType.certificate_status]: 'CertificateStatus',
};

export function handshakeTitle(type: number, raw?: Uint8Array): string {
  if (type === HandshakeType.server_hello && raw && raw.length >= 38) {
    const random = raw.subarray(6, 38);
    if (random.every((b, i) => b === HELLO_RETRY_REQUEST_RANDOM[i])) return 'HelloRetryRequest';
  }
  return TITLES[type] ?? handshakeTypeName(type);
}

const records = new WeakMap<TLSSocket, ConnectionRecord>();

/** Start recording a socket's trace (call before its handshake, e.g. from the server's onSocket). */
export function recordSocket(socket: TLSSocket, now: () => number = Date.now): ConnectionRecord {
  const rec: ConnectionRecord = {
    startedAt: now(),
    clientHello: undefined,
    helloError: undefined,
    helloRetried: false,
    messages: [],
    bytesReceived: 0,
    bytesSent: 0,
  };
  records.set(socket, rec);
  const protectedNow = { sent: false, received: false };
  // A sent message is traced before the record that carries it: its protection is the next sent record's.
  let awaitingRecord: WireMessage[] = [];
  const push = (m: WireMessage): void => {
    const last = rec.messages[rec.messages.length - 1];
    if (m.kind === 'application_data' && last && last.kind === 'application_data' && last.direction === m.direction) {
      last.count += 1;
      last.length += m.length;
      return;
    }
    rec.messages.push(m);
    if (m.direction === 'sent' && m.kind !== 'change_cipher_spec') awaitingRecord.push(m);
  };
  socket.on('trace', (e: TraceEvent) => {
    switch (e.kind) {
      case 'record': {
        const bytes = e.record?.length ?? (e.length ?? 0) + 5;
        if (e.direction === 'sent') rec.bytesSent += bytes;
        else rec.bytesReceived += bytes;
        const enc = e.encrypted ?? false;
        if (e.contentType === ContentType.change_cipher_spec) return;
        protectedNow[e.direction] = enc;
        if (e.direction === 'sent') {
          for (const m of awaitingRecord) m.encrypted = enc;
          awaitingRecord = [];
        }
        return;
      }
      case 'handshake': {
        const raw = e.message;
        if (!raw || raw.length < 4) return;
        const type = raw[0]!;
        if (e.direction === 'received' && type === HandshakeType.client_hello) {
          if (rec.clientHello || rec.helloError) rec.helloRetried = true;
          if (!rec.clientHello) {
            try {
              rec.clientHello = analyzeClientHello(raw.slice());
            } catch (err) {
              rec.helloError = (err as Error).message;
            }
          }
        }
        push({ direction: e.direction, kind: 'handshake', name: handshakeTitle(type, raw), handshakeType: type, length: raw.length, encrypted: e.direction === 'received' && protectedNow.received, count: 1 });
        return;
      }
      case 'change_cipher_spec':
        push({ direction: e.direction, kind: 'change_cipher_spec', name: 'ChangeCipherSpec', length: 1, encrypted: false, count: 1 });
        return;
      case 'alert': {
        const d = e.alert?.description ?? 0;
        push({ direction: e.direction, kind: 'alert', name: `Alert (${alertName(d)})`, length: 2, encrypted: protectedNow[e.direction], count: 1 });
        return;
      }
      case 'application_data':
        push({ direction: e.direction, kind: 'application_data', name: 'Application Data', length: e.length ?? 0, encrypted: true, count: 1 });
        return;
      default:
        return;
    }
  });
  return rec;
}

export function recordOf(socket: TLSSocket): ConnectionRecord | undefined {
  return records.get(socket);
}
