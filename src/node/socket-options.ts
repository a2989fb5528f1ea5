/**
 * `new TLSSocket(socket, options)` with node:tls's options: the hooks connect() and the server would
 * build, from the same option names. `isServer` picks the side; the handshake starts at once (a
 * server waits for the ClientHello; a client sends it).
 */
import type { Duplex } from 'node:stream';
import { createClientConnection, createServerConnection } from '../engine.js';
import { defaultProvider } from '../crypto/node.js';
import { contextCertificates, toClientConfig, toServerConfig, type ConnectOptions, type SecureContextLike, type ServerOptions } from './options.js';
import { decodeSessionBytes, encodeSessionBytes } from './session.js';
import type { TLSSocketHooks } from './tlssocket.js';
import { makeVerifier, peerCertificate } from './trust.js';

export type TLSSocketConstructorOptions = (ConnectOptions & ServerOptions) & {
  /** Server side (node's default: false). */
  isServer?: boolean;
  /** Keep our side writable after the peer's end. */
  allowHalfOpen?: boolean;
  /** A node:tls Server this socket belongs to (unused by ts-tls; accepted for node's shape). */
  server?: unknown;
};

/** Hooks for a TLSSocket built from node:tls's constructor options. */
export function socketHooksFromOptions(o: TLSSocketConstructorOptions): TLSSocketHooks {
  const provider = o.provider ?? defaultProvider;
  const certifiedKeys = (ctx: SecureContextLike): ReturnType<typeof contextCertificates> => contextCertificates(ctx, provider);
  const base = { peerCertificate, certifiedKeys, ...(o.allowHalfOpen !== undefined ? { allowHalfOpen: o.allowHalfOpen } : {}) };
  if (o.isServer) {
    const config = toServerConfig(o, makeVerifier({ ca: o.ca, crl: o.crl, provider: o.provider }));
    return { ...base, createConnection: (sink) => createServerConnection(config, sink) };
  }
  const session = o.session ? decodeSessionBytes(o.session) : undefined;
  // As node: a bare TLSSocket has no host to check the name against, only `servername`.
  const host = o.host;
  const servername = o.servername;
  const verifyPeer = makeVerifier({ ca: o.ca, crl: o.crl, checkServerIdentity: o.checkServerIdentity, provider: o.provider });
  const config = toClientConfig({ ...o, ...(host !== undefined ? { host } : {}) }, verifyPeer, servername, session);
  return { ...base, encodeSession: encodeSessionBytes, createConnection: (sink) => createClientConnection(config, sink) };
}

export type { Duplex };
