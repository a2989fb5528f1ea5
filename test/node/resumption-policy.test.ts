/**
 * Resumption and the client-authentication policy through the Node-shaped
 * server (issue 11, items 6 and 7), next to node:tls where it has an answer:
 * setSecureContext() ends earlier sessions, sessions are bound to requestCert,
 * rejectUnauthorized, ca, crl and sessionIdContext, dhparam is refused rather
 * than ignored, and 0-RTT is accepted only where the ticket's anti-replay
 * store is.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type ServerOptions, type TLSSocket } from '../../src/index.js';
import { AntiReplay } from '../../src/handshake/tickets.js';
import { defaultProvider } from '../../src/crypto/node.js';
import { projectRoot } from '../helpers/paths.js';

const f = (n: string): Buffer => readFileSync(join(projectRoot, 'test', 'fixtures', 'pki', n));
const ca = f('ca.pem');
const serverIdentity = { cert: f('server-p256.pem'), key: f('server-p256.key') };
const clientIdentity = { cert: f('client-p256.pem'), key: f('client-p256.key') };
const T = { timeout: 20_000 };
type Version = 'TLSv1.2' | 'TLSv1.3';

/** A server (ours or node:tls's) that answers each connection with one line. */
type AnyServer = Server | tls.Server;

function listen(server: AnyServer): Promise<number> {
  const s = server as tls.Server;
  s.on('secureConnection', (sock: tls.TLSSocket) => {
    sock.on('error', () => {});
    sock.end('hello');
  });
  s.on('tlsClientError', () => {});
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));
}

interface Visit {
  reused: boolean | undefined;
  authorizedByServer: boolean | undefined;
  session: Buffer | undefined;
  error: string | undefined;
}

/** A node:tls client visit: the session it got, whether it resumed, and any error. */
function visit(port: number, version: Version, opts: tls.ConnectionOptions = {}): Promise<Visit> {
  return new Promise((resolve) => {
    const out: Visit = { reused: undefined, authorizedByServer: undefined, session: undefined, error: undefined };
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, maxVersion: version, minVersion: version, ...opts });
    c.on('secureConnect', () => (out.reused = c.isSessionReused()));
    c.on('session', (s: Buffer) => (out.session = s));
    c.on('data', () => {});
    c.on('error', (e: NodeJS.ErrnoException) => (out.error = e.code ?? e.message));
    c.on('close', () => resolve(out));
    setTimeout(() => c.destroy(), 5000).unref();
  });
}

const mtls = { requestCert: true, rejectUnauthorized: true, ca };

for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  describe(`${version}: resumption follows the client-authentication policy (Node API)`, () => {
    it('refuses earlier sessions after setSecureContext changes the client CA, as node:tls does', T, async () => {
      const extraCa = f('server-p256.pem'); // any other trust anchor: the trust store has changed
      for (const kind of ['ts-tls', 'node:tls'] as const) {
        const options = { ...serverIdentity, ...mtls };
        const server: AnyServer = kind === 'ts-tls' ? createServer(options) : tls.createServer(options);
        const port = await listen(server);
        try {
          const first = await visit(port, version, clientIdentity);
          assert.ok(first.session, `${kind}: a session`);
          const again = await visit(port, version, { ...clientIdentity, session: first.session });
          assert.equal(again.reused, true, `${kind}: resumes while nothing changed`);
          server.setSecureContext({ ...options, ca: [ca, extraCa] } as ServerOptions & tls.SecureContextOptions);
          const after = await visit(port, version, { ...clientIdentity, session: first.session });
          assert.equal(after.error, undefined, `${kind}: ${after.error}`);
          assert.equal(after.reused, false, `${kind}: a full handshake after the CA change`);
        } finally {
          server.close();
        }
      }
    });

    it('refuses earlier sessions after a CA change even with application ticketKeys (node:tls resumes them)', T, async () => {
      const options = { ...serverIdentity, ...mtls, ticketKeys: randomBytes(48) };
      const server = createServer(options);
      const port = await listen(server);
      try {
        const first = await visit(port, version, clientIdentity);
        server.setSecureContext({ ...options, ticketKeys: undefined });
        const unchanged = await visit(port, version, { ...clientIdentity, session: first.session });
        assert.equal(unchanged.reused, true, 'the application keys carried over');
        server.setSecureContext({ ...options, ticketKeys: undefined, ca: [ca, f('server-p256.pem')] });
        const after = await visit(port, version, { ...clientIdentity, session: first.session });
        assert.equal(after.reused, false);
      } finally {
        server.close();
      }
    });

    it('does not let a ticket from a server without client auth skip the certificate on an mTLS server sharing ticketKeys', T, async () => {
      const ticketKeys = randomBytes(48);
      const open = createServer({ ...serverIdentity, ticketKeys });
      const strict = createServer({ ...serverIdentity, ...mtls, ticketKeys });
      const openPort = await listen(open);
      const strictPort = await listen(strict);
      try {
        const first = await visit(openPort, version);
        assert.ok(first.session);
        const attack = await visit(strictPort, version, { session: first.session });
        assert.notEqual(attack.reused, true, 'no resumption without a certificate');
        assert.ok(attack.error, 'the connection fails without a client certificate');
        const honest = await visit(strictPort, version, { ...clientIdentity, session: first.session });
        assert.equal(honest.error, undefined);
        assert.equal(honest.reused, false);
      } finally {
        open.close();
        strict.close();
      }
    });

    it('binds sessions to sessionIdContext: servers sharing ticketKeys with different contexts do not resume each other\'s sessions', T, async () => {
      const ticketKeys = randomBytes(48);
      const a = createServer({ ...serverIdentity, ticketKeys, sessionIdContext: 'service-a' });
      const a2 = createServer({ ...serverIdentity, ticketKeys, sessionIdContext: 'service-a' });
      const b = createServer({ ...serverIdentity, ticketKeys, sessionIdContext: 'service-b' });
      const [pa, pa2, pb] = [await listen(a), await listen(a2), await listen(b)];
      try {
        const first = await visit(pa, version);
        assert.equal((await visit(pa2, version, { session: first.session })).reused, true);
        assert.equal((await visit(pb, version, { session: first.session })).reused, false);
      } finally {
        a.close();
        a2.close();
        b.close();
      }
    });
  });
}

describe('server options behind resumption', () => {
  it("accepts dhparam: 'auto' and refuses custom DH parameters rather than ignoring them", () => {
    createServer({ ...serverIdentity, dhparam: 'auto' }).close();
    const pem = '-----BEGIN DH PARAMETERS-----\nMAYCAQ==\n-----END DH PARAMETERS-----\n';
    assert.throws(() => createServer({ ...serverIdentity, dhparam: pem }), { code: 'ERR_TLS_UNSUPPORTED_OPTION' });
    assert.throws(() => createServer({ ...serverIdentity, dhparam: Buffer.from(pem) }), { code: 'ERR_TLS_UNSUPPORTED_OPTION' });
  });

  it('refuses a sessionIdContext that is neither a string nor bytes', () => {
    assert.throws(() => createServer({ ...serverIdentity, sessionIdContext: 42 as unknown as string }), { code: 'ERR_INVALID_ARG_TYPE' });
  });
});

describe('TLS 1.3 0-RTT across servers sharing ticketKeys (Node API)', () => {
  /** A ts-tls client visit, with early data when resuming: whether the server accepted it as 0-RTT. */
  function early(port: number, session: Buffer | undefined): Promise<{ session: Buffer | undefined; accepted: boolean | undefined }> {
    return new Promise((resolve) => {
      let newSession: Buffer | undefined;
      const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...(session ? { session, earlyData: Buffer.from('zero-rtt') } : {}) }, () => c.write('x'));
      c.on('session', (s: Buffer) => (newSession = s));
      c.on('data', () => {});
      c.on('error', () => {});
      c.on('close', () => resolve({ session: newSession, accepted: c.getHandshakeSummary()?.earlyDataAccepted }));
      setTimeout(() => c.destroy(), 5000).unref();
    });
  }

  function earlyServer(ticketKeys: Buffer, antiReplay?: AntiReplay): Server {
    const s = createServer({ ...serverIdentity, ticketKeys, maxEarlyData: 1024, ...(antiReplay ? { antiReplay } : {}) });
    s.on('secureConnection', (sock: TLSSocket) => {
      sock.on('error', () => {});
      sock.on('data', () => sock.end('ok'));
    });
    return s;
  }

  function listenOnly(s: Server): Promise<number> {
    return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));
  }

  it('takes 0-RTT only on the server that issued the ticket by default; a shared store extends it to the fleet', T, async () => {
    const ticketKeys = randomBytes(48);
    const a = earlyServer(ticketKeys);
    const b = earlyServer(ticketKeys);
    const store = new AntiReplay(defaultProvider);
    const c = earlyServer(ticketKeys, store);
    const d = earlyServer(ticketKeys, store);
    const [pa, pb, pc, pd] = [await listenOnly(a), await listenOnly(b), await listenOnly(c), await listenOnly(d)];
    try {
      const fromA = (await early(pa, undefined)).session;
      assert.ok(fromA);
      assert.equal((await early(pb, fromA)).accepted, false, 'another server with its own store refuses the early data');
      assert.equal((await early(pa, fromA)).accepted, true, 'the issuing server accepts it');

      const fromC = (await early(pc, undefined)).session;
      assert.equal((await early(pd, fromC)).accepted, true, 'a server sharing the store accepts it');
      assert.equal((await early(pc, fromC)).accepted, false, 'but only once in the fleet');
    } finally {
      for (const s of [a, b, c, d]) s.close();
    }
  });
});
