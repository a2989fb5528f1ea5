/**
 * The Node-shaped API end to end over loopback TCP: connect(), createServer(),
 * TLSSocket methods, sessions and ticket keys, errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { connect, createServer, type Server, type TLSSocket, type ServerOptions, type ConnectOptions } from '../../src/index.js';
import type { TLSError } from '../../src/errors.js';
import { projectRoot } from '../helpers/paths.js';

const f = (n: string): Buffer => readFileSync(join(projectRoot, 'test', 'fixtures', 'pki', n));
const ca = f('ca.pem');

function listen(opts: ServerOptions, onSecure?: (s: TLSSocket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(opts, (s) => {
    onSecure?.(s);
    s.on('data', (d: Buffer) => s.write(d));
    s.on('end', () => s.end());
    s.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

interface Outcome {
  socket: TLSSocket;
  session: Buffer | undefined;
  echoed: string;
  error: TLSError | undefined;
}

/** Connect, send `text`, read the echo, close; collect the last session the server gave us. */
function roundTrip(port: number, opts: Partial<ConnectOptions>, text = 'ping'): Promise<Outcome> {
  return new Promise((resolve) => {
    let session: Buffer | undefined;
    let echoed = '';
    let error: TLSError | undefined;
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...opts }, () => socket.write(text));
    socket.on('session', (s: Buffer) => (session = s));
    socket.on('data', (d: Buffer) => {
      echoed += d.toString();
      if (echoed.length >= text.length) socket.end();
    });
    socket.on('error', (e: TLSError) => (error = e));
    socket.on('close', () => setImmediate(() => resolve({ socket, session, echoed, error })));
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

describe('node-shaped API', () => {
  let srv: { server: Server; port: number };
  const secured: TLSSocket[] = [];
  before(async () => {
    srv = await listen({ cert: [f('server-rsa.pem'), f('server-p256.pem')], key: [f('server-rsa.key'), f('server-p256.key')] }, (s) => secured.push(s));
  });
  after(() => srv.server.close());

  it('verifies the server against ca and reports what was negotiated', async () => {
    const r = await roundTrip(srv.port, {});
    assert.equal(r.error, undefined);
    assert.equal(r.echoed, 'ping');
    assert.equal(r.socket.authorized, true);
    assert.equal(r.socket.getProtocol(), 'TLSv1.3');
    assert.deepEqual(r.socket.getCipher(), { name: 'TLS_AES_128_GCM_SHA256', standardName: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3' });
    const cert = r.socket.getPeerCertificate();
    assert.equal(cert.subjectaltname, 'DNS:localhost, IP Address:127.0.0.1');
    assert.match(cert.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('verifies a TLS 1.2 server against ca too', async () => {
    const r = await roundTrip(srv.port, { maxVersion: 'TLSv1.2' });
    assert.equal(r.error, undefined);
    assert.equal(r.socket.authorized, true);
    assert.equal(r.socket.getProtocol(), 'TLSv1.2');
  });

  it('delivers writes of every size made in one tick intact and in order (they are gathered into records)', async () => {
    // Sizes that straddle the 2^14-byte record boundary from both sides, with small writes between.
    const sizes = [1, 1000, 20_000, 5, 16_384, 16_383, 2, 40_000, 700, 16_385, 3, 1];
    let seed = 7;
    const parts = sizes.map((n) => Buffer.from(Array.from({ length: n }, () => (seed = (seed * 31 + 11) & 0xff))));
    const sent = Buffer.concat(parts);
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      const got: Buffer[] = [];
      let length = 0;
      const socket = connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca }, () => {
        for (const p of parts) socket.write(p);
      });
      socket.on('data', (d: Buffer) => {
        got.push(d);
        length += d.length;
        if (length >= sent.length) socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(got)));
    });
    assert.equal(echoed.length, sent.length);
    assert.ok(echoed.equals(sent), 'the echo differs from what was written');
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: Finished values, X509Certificate, ephemeral key info and ticket agree with a node:tls peer`, { timeout: 10_000 }, async () => {
      let nodeSide: tls.TLSSocket | undefined;
      const server = tls.createServer({ key: f('server-p256.key'), cert: f('server-p256.pem'), minVersion: version, maxVersion: version }, (s) => {
        nodeSide = s;
        s.on('error', () => {});
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      try {
        const ours = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, maxVersion: version, groups: ['x25519', 'P-256'] });
        assert.equal(ours.getFinished(), undefined, 'no Finished before the handshake');
        // The ticket (TLS 1.3: after the handshake) and the handshake itself, listened for from the start.
        const gotSession = new Promise((r) => ours.once('session', r));
        await new Promise<void>((resolve, reject) => {
          ours.once('secureConnect', resolve);
          ours.once('error', reject);
        });
        await gotSession;
        await new Promise((r) => setTimeout(r, 20));
        assert.ok(nodeSide, 'node:tls saw the connection');
        assert.deepEqual(ours.getFinished(), nodeSide.getPeerFinished());
        assert.deepEqual(ours.getPeerFinished(), nodeSide.getFinished());
        assert.equal(ours.getPeerX509Certificate()?.fingerprint256, ours.getPeerCertificate().fingerprint256);
        assert.equal(ours.getPeerX509Certificate()?.subject, `CN=${ours.getPeerCertificate().subject.CN}`);
        assert.equal(ours.getX509Certificate(), undefined, 'no client certificate');
        // node:tls's own client against the same server, for the reference shape.
        const theirs = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, maxVersion: version, ecdhCurve: 'X25519:P-256' });
        await once(theirs, 'secureConnect');
        assert.deepEqual(ours.getEphemeralKeyInfo(), theirs.getEphemeralKeyInfo());
        theirs.destroy();
        const ticket = ours.getTLSTicket();
        assert.ok(ticket && ticket.length > 0, 'the ticket the server sent');
        assert.equal(ours.setMaxSendFragment(100), false);
        assert.equal(ours.setMaxSendFragment(512), true);
        const renegotiated = await new Promise<Error | null>((resolve) => assert.equal(ours.renegotiate({}, resolve), false));
        assert.match(renegotiated?.message ?? '', /not supported/);
        ours.destroy();
      } finally {
        server.close();
      }
    });
  }

  it('reports OpenSSL and IANA names for a TLS 1.2 suite', async () => {
    const r = await roundTrip(srv.port, { maxVersion: 'TLSv1.2', cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'] });
    assert.deepEqual(r.socket.getCipher(), { name: 'ECDHE-RSA-AES256-GCM-SHA384', standardName: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', version: 'TLSv1.2' });
  });

  // The verification cases run over both versions: each version's client has its own path to the verifier.
  // The ca is a certificate the server does not present (with server-p256.pem as ca, a TLS 1.2 ECDSA
  // suite would present that very certificate, which is then rightly trusted).
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    const v = { minVersion: version, maxVersion: version };

    it(`${version}: refuses an untrusted server with unknown_ca and Node’s code`, async () => {
      const r = await roundTrip(srv.port, { ...v, ca: f('server-p384.pem') });
      assert.equal(r.error?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      assert.equal(r.error?.alert?.name, 'unknown_ca');
      assert.equal(r.echoed, '', 'nothing was exchanged');
    });

    it(`${version}: refuses a name mismatch with ERR_TLS_CERT_ALTNAME_INVALID`, async () => {
      const r = await roundTrip(srv.port, { ...v, servername: 'other.example' });
      assert.equal(r.error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      assert.equal(r.echoed, '', 'nothing was exchanged');
    });

    it(`${version}: connects without verification when rejectUnauthorized is false, and says so`, async () => {
      const r = await roundTrip(srv.port, { ...v, ca: f('server-p384.pem'), rejectUnauthorized: false });
      assert.equal(r.error, undefined);
      assert.equal(r.socket.getProtocol(), version);
      assert.equal(r.socket.authorized, false);
      assert.equal(r.socket.authorizationError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });

    it(`${version}: reports a name mismatch as the authorization error when rejectUnauthorized is false`, async () => {
      const r = await roundTrip(srv.port, { ...v, servername: 'other.example', rejectUnauthorized: false });
      assert.equal(r.error, undefined);
      assert.equal(r.socket.authorized, false);
      assert.equal(r.socket.authorizationError, 'ERR_TLS_CERT_ALTNAME_INVALID');
    });
  }

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`resumes a ${version} session from the 'session' event`, async () => {
      const first = await roundTrip(srv.port, { maxVersion: version });
      assert.ok(first.session, 'a session was emitted');
      assert.equal(first.socket.isSessionReused(), false);
      const second = await roundTrip(srv.port, { maxVersion: version, session: first.session });
      assert.equal(second.error, undefined);
      assert.equal(second.socket.isSessionReused(), true);
      assert.equal(second.socket.getProtocol(), version);
      assert.equal(second.socket.authorized, true);
    });
  }

  it('ignores an unparseable session and does a full handshake', async () => {
    const r = await roundTrip(srv.port, { session: Buffer.from('not a session') });
    assert.equal(r.error, undefined);
    assert.equal(r.socket.isSessionReused(), false);
  });

  it('lets servers sharing ticketKeys resume each other’s sessions', async () => {
    const keys = Buffer.alloc(48, 7);
    const a = await listen({ cert: f('server-p256.pem'), key: f('server-p256.key'), ticketKeys: keys });
    const b = await listen({ cert: f('server-p256.pem'), key: f('server-p256.key'), ticketKeys: keys });
    try {
      assert.deepEqual(a.server.getTicketKeys(), keys);
      const first = await roundTrip(a.port, {});
      const second = await roundTrip(b.port, { session: first.session });
      assert.equal(second.socket.isSessionReused(), true);
    } finally {
      a.server.close();
      b.server.close();
    }
  });

  it('derives the same exported keying material on both sides', async () => {
    secured.length = 0;
    const r = await new Promise<{ client: Buffer; server: Buffer }>((resolve) => {
      const c = connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca }, () => {
        const client = c.exportKeyingMaterial(32, 'EXPORTER-test', Buffer.from('ctx'));
        setTimeout(() => {
          const server = secured.at(-1)!.exportKeyingMaterial(32, 'EXPORTER-test', Buffer.from('ctx'));
          c.end();
          resolve({ client, server });
        }, 20);
      });
    });
    assert.equal(r.client.length, 32);
    assert.deepEqual(r.client, r.server);
  });

  it("emits 'keylog' lines Wireshark can read", async () => {
    const lines: string[] = [];
    await new Promise<void>((resolve) => {
      const c = connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca }, () => c.end());
      c.on('keylog', (l: Buffer) => lines.push(l.toString()));
      c.on('close', () => resolve());
    });
    const labels = lines.map((l) => l.split(' ')[0]);
    for (const want of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) {
      assert.ok(labels.includes(want), `${want} logged`);
    }
    for (const l of lines) assert.match(l, /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+\n$/);
  });

  it("reports a failed handshake on the server as 'tlsClientError'", async () => {
    const errors: TLSError[] = [];
    const onErr = (e: TLSError): void => {
      errors.push(e);
    };
    srv.server.on('tlsClientError', onErr);
    await roundTrip(srv.port, { ca: f('server-p256.pem') });
    await new Promise((r) => setTimeout(r, 20));
    srv.server.off('tlsClientError', onErr);
    // node:tls's code for the received alert; ours stays as tlsCode.
    assert.equal(errors[0]?.code, 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
    assert.equal((errors[0] as TLSError & { tlsCode?: string })?.tlsCode, 'ERR_TLS_ALERT_RECEIVED');
    assert.equal(errors[0]?.alert?.name, 'unknown_ca');
  });

  it('completes a TLS 1.3 server handshake whose client closes right after its Finished', async () => {
    const before = secured.length;
    const n = 20;
    await Promise.all(
      Array.from({ length: n }, () =>
        new Promise<void>((resolve) => {
          const c = tls.connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca }, () => c.end());
          c.on('error', () => {});
          c.on('close', () => resolve());
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(secured.length - before, n, "every handshake reached 'secureConnection'");
  });

  it('resumes TLS 1.2 by session ID, and issues no TLS 1.3 tickets, with SSL_OP_NO_TICKET', async () => {
    const s = await listen({ cert: f('server-p256.pem'), key: f('server-p256.key'), secureOptions: 0x4000 });
    try {
      const first = await roundTrip(s.port, { maxVersion: 'TLSv1.2' });
      assert.ok(first.session);
      const second = await roundTrip(s.port, { maxVersion: 'TLSv1.2', session: first.session });
      assert.equal(second.socket.isSessionReused(), true);
      const t13 = await roundTrip(s.port, {});
      assert.equal(t13.socket.getProtocol(), 'TLSv1.3');
      assert.equal(t13.session, undefined, 'no NewSessionTicket');
    } finally {
      s.server.close();
    }
  });

  it("keeps TLS 1.2 sessions in the application's store through 'newSession' and 'resumeSession', as node:tls", async () => {
    const s = await listen({ cert: f('server-p256.pem'), key: f('server-p256.key'), secureOptions: 0x4000 });
    const store = new Map<string, Buffer>();
    const created: string[] = [];
    const asked: string[] = [];
    let holdNewSession = 0;
    s.server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
      created.push(id.toString('hex'));
      store.set(id.toString('hex'), data);
      // The handshake must wait for the callback.
      setTimeout(cb, holdNewSession);
    });
    s.server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data?: Buffer | null) => void) => {
      asked.push(id.toString('hex'));
      setImmediate(() => cb(null, store.get(id.toString('hex')) ?? null));
    });
    // node:tls as the client, TLS 1.2 without tickets: the session goes by ID.
    const nodeClient = (session?: Buffer): Promise<{ reused: boolean; ms: number; session: Buffer | undefined; error?: Error }> =>
      new Promise((resolve) => {
        const t0 = Date.now();
        const c = tls.connect({ host: '127.0.0.1', port: s.port, servername: 'localhost', ca, maxVersion: 'TLSv1.2', ...(session ? { session } : {}) });
        c.once('secureConnect', () => {
          const r = { reused: c.isSessionReused(), ms: Date.now() - t0, session: c.getSession() };
          c.end();
          resolve(r);
        });
        c.once('error', (error: Error) => resolve({ reused: false, ms: 0, session: undefined, error }));
      });
    try {
      holdNewSession = 150;
      const first = await nodeClient();
      assert.equal(first.error, undefined);
      assert.equal(first.reused, false);
      assert.equal(created.length, 1);
      assert.equal(created[0]!.length, 64, 'a 32-byte session ID');
      assert.ok(first.ms >= 140, `the handshake waited for the newSession callback (${first.ms} ms)`);
      holdNewSession = 0;
      const second = await nodeClient(first.session);
      assert.equal(second.reused, true, 'resumed from the application store');
      assert.deepEqual(asked, [created[0]]);
      assert.equal(created.length, 1, 'no new session when resuming');
      store.clear();
      const third = await nodeClient(first.session);
      assert.equal(third.reused, false, 'unknown to the store: a full handshake');
      assert.equal(created.length, 2);
      s.server.removeAllListeners('resumeSession');
      s.server.on('resumeSession', (_id: Buffer, cb: (err: Error | null) => void) => cb(new Error('store unavailable')));
      const refusedByServer = new Promise<Error>((resolve) => s.server.once('tlsClientError', resolve));
      const fourth = await nodeClient(third.session);
      assert.ok(fourth.error, 'the connection was refused');
      assert.match((await refusedByServer).message, /resumeSession callback failed: store unavailable/);
    } finally {
      s.server.close();
    }
  });
});
