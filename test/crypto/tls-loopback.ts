/**
 * A node:tls loopback connection for differential tests of the key schedule:
 * a client and a server in this process, a TCP relay between them that
 * records the server's first flight (for ServerHello.random, which node does
 * not expose), and the client's NSS key log lines.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';

let cached: { key: string; cert: string } | undefined;

/** A throwaway self-signed P-256 certificate made with the openssl CLI. */
export function testCertificate(): { key: string; cert: string } {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'ts-tls-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    cached = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface LoopbackSession {
  readonly client: tls.TLSSocket;
  /** Key log secrets by label (CLIENT_RANDOM, EXPORTER_SECRET, ...), hex. */
  readonly keylog: ReadonlyMap<string, string>;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
}

/** Connect a node:tls client to a node:tls server through a recording relay, run `body`, tear down. */
export async function withLoopback<T>(
  options: { version: 'TLSv1.2' | 'TLSv1.3'; ciphers: string },
  body: (s: LoopbackSession) => T | Promise<T>,
): Promise<T> {
  const { key, cert } = testCertificate();
  const server = tls.createServer({ key, cert, minVersion: options.version, maxVersion: options.version, ciphers: options.ciphers }, (s) => {
    s.on('error', () => undefined);
    s.resume();
  });
  const fromServer: Buffer[] = [];
  const sockets: net.Socket[] = [];
  const relay = net.createServer((down) => {
    const up = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    sockets.push(down, up);
    down.on('error', () => undefined);
    up.on('error', () => undefined);
    down.on('data', (d) => up.write(d));
    up.on('data', (d) => {
      fromServer.push(d);
      down.write(d);
    });
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const keylog = new Map<string, string>();
  let clientRandom = '';
  const client = tls.connect({
    port: (relay.address() as net.AddressInfo).port,
    host: '127.0.0.1',
    servername: 'localhost',
    rejectUnauthorized: false,
    minVersion: options.version,
    maxVersion: options.version,
    ciphers: options.ciphers,
  });
  client.on('keylog', (line: Buffer) => {
    const [labelName, random, secret] = line.toString('latin1').trim().split(' ');
    if (labelName && random && secret) {
      keylog.set(labelName, secret);
      clientRandom = random;
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('secureConnect', () => resolve());
      client.once('error', reject);
    });
    const first = Buffer.concat(fromServer);
    // TLSPlaintext header (5) + Handshake header (4) + ServerHello.legacy_version (2), then random (32).
    if (first[0] !== 22 || first[5] !== 2) throw new Error('first server record is not a ServerHello');
    const serverRandom = Uint8Array.from(first.subarray(11, 43));
    return await body({ client, keylog, clientRandom: Uint8Array.from(Buffer.from(clientRandom, 'hex')), serverRandom });
  } finally {
    client.destroy();
    for (const s of sockets) s.destroy();
    await new Promise((r) => relay.close(r));
    await new Promise((r) => server.close(r));
  }
}
