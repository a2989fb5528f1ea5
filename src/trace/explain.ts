/**
 * `--explain`: one plain sentence per message saying what it is for, the way
 * the seed articles annotate their Wireshark dumps.
 */
import { AlertDescription, AlertLevel, HandshakeType, type KeyExchangeKind, type VersionName } from '../registry.js';

export interface ExplainContext {
  readonly version?: VersionName | undefined;
  readonly kx?: KeyExchangeKind | undefined;
  readonly helloRetry?: boolean;
}

/** One sentence for a handshake message, or undefined for types we have nothing to say about. */
export function explainHandshake(type: number, ctx: ExplainContext = {}): string | undefined {
  const tls13 = ctx.version === 'TLSv1.3';
  switch (type) {
    case HandshakeType.client_hello:
      return 'The client opens the handshake: the versions, cipher suites, groups and signature algorithms it supports, a fresh random, and (for TLS 1.3) key shares, so that the server can choose.';
    case HandshakeType.server_hello:
      if (ctx.helloRetry) {
        return 'A HelloRetryRequest: the server found no usable key share in the ClientHello and asks the client to send it again with a share for the group it names.';
      }
      return tls13
        ? 'The server picks the version and cipher suite and answers with its own key share; from here on both sides can compute the handshake keys and everything else is encrypted.'
        : 'The server picks the version and cipher suite from the client\'s offer and sends its own random, which goes into the session keys together with the client\'s.';
    case HandshakeType.encrypted_extensions:
      return 'The first encrypted message of TLS 1.3: the server\'s answers to extensions that do not affect the key exchange, such as the chosen ALPN protocol.';
    case HandshakeType.certificate:
      return 'The sender\'s certificate chain, leaf first: the identity the peer checks against its trusted roots and the name it dialed.';
    case HandshakeType.server_key_exchange:
      return ctx.kx === 'DHE'
        ? 'The server\'s ephemeral Diffie-Hellman group and public key, signed with its certificate key so the client knows it came from the certificate\'s owner (this is what gives forward secrecy).'
        : 'The server\'s ephemeral ECDHE public key, signed with its certificate key so the client knows it came from the certificate\'s owner (this is what gives forward secrecy).';
    case HandshakeType.certificate_request:
      return 'The server asks the client to authenticate with a certificate of its own, and says which signature algorithms (and issuers) it will accept.';
    case HandshakeType.server_hello_done:
      return 'The server has sent everything for this round; it is now the client\'s turn to send its key exchange.';
    case HandshakeType.client_key_exchange:
      return ctx.kx === 'RSA'
        ? 'The pre-master secret, chosen by the client and encrypted to the server\'s RSA key; there is no forward secrecy, since whoever obtains that key later can decrypt this session.'
        : 'The client\'s ephemeral public key: combined with the server\'s, it gives both sides the same pre-master secret, from which (with the two randoms) the session keys are derived.';
    case HandshakeType.certificate_verify:
      return 'A signature over the handshake so far, made with the private key of the certificate just sent, proving that the sender really owns it.';
    case HandshakeType.finished:
      return 'A MAC over the whole handshake under the new keys: each side checks that both saw the same messages and derived the same keys, so nothing was tampered with on the way.';
    case HandshakeType.new_session_ticket:
      return tls13
        ? 'A ticket for resuming later with a pre-shared key (and perhaps 0-RTT data), skipping the certificate exchange.'
        : 'A ticket the client can present later to resume this session with an abbreviated handshake.';
    case HandshakeType.key_update:
      return 'The sender switches to the next generation of traffic keys (and may ask the peer to do the same), limiting how much data one key protects.';
    case HandshakeType.end_of_early_data:
      return 'The client has finished sending 0-RTT early data; what follows is protected with the handshake keys.';
    case HandshakeType.hello_request:
      return 'The server asks the client to start a new handshake (renegotiation).';
    default:
      return undefined;
  }
}

export function explainChangeCipherSpec(version: VersionName | undefined): string {
  return version === 'TLSv1.3'
    ? 'A dummy ChangeCipherSpec for middlebox compatibility; TLS 1.3 ignores it (the keys change by themselves).'
    : 'From the next record on, the sender protects everything with the keys just negotiated.';
}

export function explainAlert(level: number, description: number): string {
  if (description === AlertDescription.close_notify) {
    return 'The sender will send nothing more: a clean shutdown, which tells the peer that the data was not truncated by an attacker.';
  }
  if (level === AlertLevel.fatal) return 'The sender aborts the connection because of this error; neither side may use it any more.';
  return 'A warning from the sender; the connection may go on.';
}

export function explainApplicationData(): string {
  return 'Application data, encrypted and authenticated with the traffic keys.';
}
