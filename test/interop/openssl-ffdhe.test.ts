/**
 * TLS 1.3 over the RFC 7919 ffdhe groups with the openssl CLI (issue 11,
 * item 11): our client against `openssl s_server -groups ffdheN` (directly,
 * and by HelloRetryRequest from our default groups), and
 * `openssl s_client -groups ffdheN` against our server. Data both ways,
 * byte-exact.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serverConfig } from '../../src/engine.js';
import type { ConnectOptions } from '../../src/node/options.js';
import { NamedGroup } from '../../src/registry.js';
import { engineServer } from '../helpers/engine-server.js';
import { caPem, closed, connectWhenListening, readExactly, within } from '../helpers/interop.js';
import { freePort, killAll, openssl, payload, pki, type OpensslProcess } from '../helpers/openssl.js';
import { certified } from '../helpers/pair.js';

const CASE = { timeout: 30_000 };
const GROUPS: [string, number][] = [
  ['ffdhe2048', NamedGroup.ffdhe2048],
  ['ffdhe3072', NamedGroup.ffdhe3072],
  ['ffdhe4096', NamedGroup.ffdhe4096],
];
after(() => killAll());

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function sServer(port: number, extra: string[], stdin: Buffer): OpensslProcess {
  return openssl(['s_server', '-accept', String(port), '-tls1_3', '-cert', pki('server-p256.pem'), '-key', pki('server-p256.key'), '-quiet', '-naccept', '1', ...extra], { stdin });
}

const clientOptions = (port: number, o: Partial<ConnectOptions> = {}): ConnectOptions => ({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), ...o });

async function ourClientAgainst(osslGroups: string, clientGroups: string[] | undefined): Promise<{ group: number | undefined; roundTrips: number }> {
  const port = await freePort();
  const fromServer = payload(20_000, 5);
  const srv = sServer(port, ['-groups', osslGroups], fromServer);
  const sock = await connectWhenListening(clientOptions(port, clientGroups ? { groups: clientGroups } : {})).catch((e: unknown) => {
    srv.child.kill('SIGKILL');
    throw e;
  });
  try {
    const s = sock.getHandshakeSummary()!;
    assert.equal(sock.getProtocol(), 'TLSv1.3');
    const received = readExactly(sock, fromServer.length);
    const toServer = payload(20_000, 6);
    sock.write(toServer);
    assert.ok((await within(received, 20_000, 'data from s_server')).equals(fromServer));
    await until(() => srv.stdout().length >= toServer.length, 20_000, 's_server stdout');
    assert.ok(srv.stdout().subarray(0, toServer.length).equals(toServer));
    sock.end();
    await within(closed(sock), 10_000, 'our socket to close');
    assert.equal(await within(srv.exited, 10_000, 's_server to exit'), 0);
    return { group: s.group, roundTrips: s.roundTrips };
  } finally {
    sock.destroy();
    srv.child.kill('SIGKILL');
  }
}

describe('TLS 1.3 ffdhe groups with openssl', { concurrency: 2 }, () => {
  for (const [name, group] of GROUPS) {
    it(`our client against openssl s_server -groups ${name}`, CASE, async () => {
      const r = await ourClientAgainst(name, [name]);
      assert.equal(r.group, group);
      assert.equal(r.roundTrips, 1);
    });

    it(`openssl s_client -groups ${name} against our server`, CASE, async () => {
      const srv = await engineServer(serverConfig({ certificates: [certified('server-p256')] }));
      const n = 20_000;
      const toServer = payload(n, 7);
      const toClient = payload(n, 8);
      const cli = openssl(['s_client', '-connect', `127.0.0.1:${srv.port}`, '-tls1_3', '-groups', name, '-CAfile', pki('ca.pem'), '-servername', 'localhost', '-quiet'], { stdin: toServer });
      try {
        const conn = await within(srv.next(), 10_000, 's_client to connect');
        const summary = await within(conn.handshake, 10_000, 'handshake with s_client');
        assert.equal(summary.version, 'TLSv1.3');
        assert.equal(summary.group, group);
        conn.conn.send(toClient);
        assert.ok((await conn.receivedAtLeast(n)).equals(toServer));
        await until(() => cli.stdout().length >= n, 20_000, 's_client stdout');
        assert.ok(cli.stdout().equals(toClient));
        conn.end();
        assert.equal(await within(cli.exited, 10_000, 's_client to exit'), 0);
      } finally {
        cli.child.kill('SIGKILL');
        srv.close();
      }
    });
  }

  it('our client with its default groups follows s_server\'s HelloRetryRequest to ffdhe3072', CASE, async () => {
    const r = await ourClientAgainst('ffdhe3072', undefined);
    assert.equal(r.group, NamedGroup.ffdhe3072);
    assert.equal(r.roundTrips, 2);
  });
});
