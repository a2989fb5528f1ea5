/**
 * What the TLS 1.3 client and server share: record keys from a traffic
 * secret, the extension rules of RFC 8446 §4.2, and the post-handshake
 * machinery (KeyUpdate §4.6.3, exporters §7.5).
 */
import type { HandshakeIO } from '../connection.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { alertError } from '../errors.js';
import type { Extension } from '../messages/extensions.js';
import { KeyUpdateCodec, decodeMessage, type HandshakeMessage } from '../messages/handshake.js';
import type { RecordProtector } from '../record/protection.js';
import { HandshakeType, KeyUpdateRequest, extensionName, type CipherSuiteInfo } from '../registry.js';
import { hex, protector13 } from './common.js';
import { exportKeyingMaterial13, hashLength, nextApplicationTrafficSecret, trafficKeys13 } from './keyschedule13.js';

/** RFC 8446 §7.3: a record protector keyed from a traffic secret. */
export function protectorFor(p: CryptoProvider, suite: CipherSuiteInfo, trafficSecret: Uint8Array): RecordProtector {
  const { key, iv } = trafficKeys13(p, suite.hash, suite.aead, trafficSecret);
  return protector13(p, suite, key, iv);
}

/**
 * RFC 8446 §4.2: an extension the peer was not offered is unsupported_extension;
 * one we know but that does not belong in this message is illegal_parameter.
 */
export function checkExtensions(received: readonly Extension[], allowed: readonly number[], offered: readonly number[], where: string): void {
  for (const e of received) {
    if (allowed.includes(e.type) && offered.includes(e.type)) continue;
    if (!offered.includes(e.type)) throw alertError('unsupported_extension', `${where} carries ${extensionName(e.type)}, which was not offered`);
    throw alertError('illegal_parameter', `${extensionName(e.type)} is not allowed in ${where}`);
  }
}

/** Key a message must end at: a key change may not split a handshake message across records (§5.1). */
export function requireRecordBoundary(io: HandshakeIO, what: string): void {
  if (io.hasBufferedHandshakeData()) throw alertError('unexpected_message', `handshake data after ${what} spans a key change`);
}

export function keylog(io: HandshakeIO, label: string, clientRandom: Uint8Array, secret: Uint8Array): void {
  io.sink.keylog?.(`${label} ${hex(clientRandom)} ${hex(secret)}`);
}

export interface ApplicationSecrets {
  readonly p: CryptoProvider;
  readonly suite: CipherSuiteInfo;
  /** The peer's and our application_traffic_secret_0. */
  readonly read: Uint8Array;
  readonly write: Uint8Array;
  readonly exporterMasterSecret: Uint8Array;
  /** Side-specific post-handshake messages (client: NewSessionTicket). */
  readonly other?: (msg: HandshakeMessage) => void;
}

/**
 * After Finished: install the exporter, KeyUpdate in both directions
 * (RFC 8446 §4.6.3) and the handler for every other post-handshake message.
 *
 * An idle connection keeps this state for its lifetime, so it is small: the
 * three secrets live in one buffer (read | write | exporter), and a KeyUpdate
 * overwrites the old secret in place.
 */
export function installPostHandshake13(io: HandshakeIO, s: ApplicationSecrets): void {
  const { p, suite, other } = s;
  const n = hashLength(suite.hash);
  const secrets = new Uint8Array(3 * n);
  secrets.set(s.read, 0);
  secrets.set(s.write, n);
  secrets.set(s.exporterMasterSecret, 2 * n);
  // (NSS key logs carry only *_TRAFFIC_SECRET_0; Wireshark derives the updates itself.)

  const updateWrite = (requestPeer: boolean): void => {
    io.sendHandshake(HandshakeType.key_update, KeyUpdateCodec.encode(requestPeer ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested));
    const next = nextApplicationTrafficSecret(p, suite.hash, secrets.subarray(n, 2 * n));
    secrets.set(next, n);
    io.setWriteProtector(protectorFor(p, suite, next));
  };

  io.keyUpdater = updateWrite;
  io.exporter = (length, label, context) => exportKeyingMaterial13(p, suite.hash, secrets.subarray(2 * n), label, context, length);
  io.postHandshake = (msg: HandshakeMessage): void => {
    if (msg.type === HandshakeType.key_update) {
      const request = decodeMessage(msg, (r) => KeyUpdateCodec.decode(r));
      requireRecordBoundary(io, 'KeyUpdate');
      const next = nextApplicationTrafficSecret(p, suite.hash, secrets.subarray(0, n));
      secrets.set(next, 0);
      io.setReadProtector(protectorFor(p, suite, next));
      // §4.6.3: answer update_requested with our own update (not requesting one back) — one update for
      // all the requests received while we were silent: the connection sends it once the input at hand is
      // processed (a flood of requests gets one answer, not one each).
      if (request === KeyUpdateRequest.update_requested) io.requestKeyUpdateReply();
      return;
    }
    if (other) return other(msg);
    throw alertError('unexpected_message', `unexpected post-handshake message of type ${msg.type}`);
  };
}
