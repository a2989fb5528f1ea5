/**
 * A real browser (Debian's chromium, headless, via playwright-core) loads the
 * inspector page over ts-tls TLS 1.3 and the page shows what that browser
 * offered. The screenshot goes to test-output/inspector.png.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createInspectorServer } from '../../src/inspector/index.js';
import { outputPath } from '../helpers/paths.js';
import { SERVER_CERT, SERVER_KEY } from '../https/support.js';

const CHROMIUM = '/usr/bin/chromium';

describe('inspector page in a real browser', () => {
  it('shows chromium its own TLS 1.3 handshake: suites, groups, JA4', { timeout: 60_000 }, async (t) => {
    if (!existsSync(CHROMIUM)) return t.skip(`${CHROMIUM} is not installed (apt-get install chromium)`);
    const server = createInspectorServer({ cert: SERVER_CERT, key: SERVER_KEY, minVersion: 'TLSv1.3' });
    const handshakes: string[] = [];
    server.on('secureConnection', (s: { getProtocol(): string | null }) => handshakes.push(String(s.getProtocol())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const spki = new X509Certificate(SERVER_CERT).publicKey.export({ type: 'spki', format: 'der' });
    const pin = createHash('sha256').update(spki).digest('base64');
    const profile = mkdtempSync(join(tmpdir(), 'ts-tls-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${pin}`],
    });
    try {
      const page = await context.newPage();
      const resp = await page.goto(`https://localhost:${port}/`);
      assert.equal(resp?.status(), 200);
      const ja4 = (await page.locator('[data-ja4]').textContent())?.trim() ?? '';
      assert.match(ja4, /^t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$/, 'chromium offers TLS 1.3, SNI and h2');
      const suites = await page.locator('#suites .nm').allTextContents();
      for (const s of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) assert.ok(suites.includes(s), `suite ${s} listed: ${suites.join(', ')}`);
      assert.ok(suites.includes('GREASE'), 'chromium greases its suites');
      const groups = await page.locator('#groups .nm').allTextContents();
      assert.ok(groups.includes('x25519'), `groups: ${groups.join(', ')}`);
      assert.ok(await page.locator('#chosen').isVisible());
      assert.match((await page.locator('.badges').textContent()) ?? '', /TLS 1\.3/);
      mkdirSync(outputPath(), { recursive: true });
      await page.screenshot({ path: outputPath('inspector.png'), fullPage: true });
      // the page's JSON twin (fetched by the browser, over the same kind of handshake) agrees
      const jsonPage = await context.newPage();
      const jr = await jsonPage.goto(`https://localhost:${port}/json`);
      const json = (await jr!.json()) as { fingerprints: { ja4: string }; negotiated: { version: string; group: string | null } };
      assert.equal(json.negotiated.version, 'TLSv1.3');
      // Chromium offers the post-quantum hybrid first; our server prefers it too.
      assert.ok(groups.includes('X25519MLKEM768'), `groups: ${groups.join(', ')}`);
      assert.equal(json.negotiated.group, 'X25519MLKEM768');
      assert.equal(json.fingerprints.ja4, ja4);
      assert.ok(handshakes.every((v) => v === 'TLSv1.3') && handshakes.length > 0);
    } finally {
      await context.close();
      server.close();
      server.closeAllConnections();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
