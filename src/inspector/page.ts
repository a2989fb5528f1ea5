/**
 * The inspector page: the visitor's own handshake as the server saw it.
 * Server-rendered HTML with inline CSS and an inline SVG sequence diagram; no
 * scripts, fonts or images from anywhere.
 */
import type { HandshakeSummary } from '../connection.js';
import {
  cipherSuiteInfo,
  cipherSuiteName,
  groupName,
  signatureSchemeName,
  type VersionName,
} from '../registry.js';
import { ja3, ja4, type Ja3, type Ja4 } from './fingerprint.js';
import type { HelloAnalysis, Named } from './hello.js';
import type { ConnectionRecord, WireMessage } from './record.js';

/** What the server was willing to do (for "why"). */
export interface ServerPreferences {
  readonly suites: readonly number[];
  readonly groups: readonly number[];
  readonly alpn: readonly string[];
  readonly minVersion: VersionName;
  readonly maxVersion: VersionName;
  /** e.g. "RSA 2048" for the certificate's key. */
  readonly keyDescription?: string;
}

export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly httpVersion: string;
  readonly userAgent?: string | undefined;
  readonly remoteAddress?: string | undefined;
}

export interface InspectorView {
  readonly record: ConnectionRecord;
  readonly summary: HandshakeSummary | undefined;
  readonly server: ServerPreferences;
  readonly request: RequestInfo;
}

export interface Reason {
  readonly what: string;
  readonly chosen: string;
  readonly why: string;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const hex4 = (v: number): string => '0x' + v.toString(16).padStart(4, '0');
const short = (v: VersionName): string => (v === 'TLSv1.3' ? 'TLS 1.3' : 'TLS 1.2');

export function fingerprints(h: HelloAnalysis): { ja3: Ja3; ja4: Ja4 } {
  return { ja3: ja3(h.hello), ja4: ja4(h.hello) };
}

/** "What was chosen and why", from the offer, the server's preferences and the outcome. */
export function explain(v: InspectorView): Reason[] {
  const s = v.summary;
  const h = v.record.clientHello;
  if (!s || !h) return [];
  const out: Reason[] = [];
  const offered = h.versions.filter((x) => !x.grease).map((x) => x.name);
  out.push({
    what: 'Version',
    chosen: short(s.version),
    why: `the highest version in your ${h.versions.length > 1 || h.extensions.some((e) => e.name === 'supported_versions') ? 'supported_versions' : 'legacy_version'} (${offered.join(', ')}) that this server enables (${short(v.server.minVersion)}–${short(v.server.maxVersion)}).`,
  });
  const serverOrder = v.server.suites.filter((id) => cipherSuiteInfo(id)?.version === s.version);
  const pos = serverOrder.indexOf(s.cipherSuite.id);
  const clientPos = h.suites.filter((x) => !x.grease).findIndex((x) => x.id === s.cipherSuite.id);
  const skipped = serverOrder.slice(0, Math.max(0, pos)).map((id) => cipherSuiteName(id));
  out.push({
    what: 'Cipher suite',
    chosen: s.cipherSuite.name,
    why:
      `the server's ${ordinal(pos + 1)} preference for ${short(s.version)} and your ${ordinal(clientPos + 1)}; the server picks by its own order` +
      (skipped.length > 0 ? ` (you did not offer ${skipped.join(', ')}).` : '.'),
  });
  if (s.group !== undefined) {
    const name = groupName(s.group);
    const shared = h.keyShares.some((k) => k.id === s.group);
    out.push({
      what: 'Key exchange',
      chosen: `${s.cipherSuite.kx === 'DHE' ? 'DHE' : s.version === 'TLSv1.3' ? '(EC)DHE' : 'ECDHE'} over ${name}`,
      why:
        s.version === 'TLSv1.3'
          ? shared && !v.record.helloRetried
            ? `you sent a key share for ${name} and it is the first group in the server's order that you support, so one round trip sufficed.`
            : `the server's preferred group among yours; you had no key share for it, so it asked again with a HelloRetryRequest (an extra round trip).`
          : `the first group in the server's order (${v.server.groups.slice(0, 3).map(groupName).join(', ')}…) that your supported_groups lists; fresh keys per connection give forward secrecy.`,
    });
  } else if (s.cipherSuite.kx === 'RSA') {
    out.push({ what: 'Key exchange', chosen: 'RSA key transport', why: 'the suite encrypts the premaster secret to the certificate key: no forward secrecy. You offered it and the server allowed it.' });
  }
  if (s.peerSignatureScheme !== undefined || s.localCertificates.length > 0) {
    const sig = h.signatureAlgorithms.filter((x) => !x.grease).map((x) => x.id);
    out.push({
      what: 'Certificate',
      chosen: v.server.keyDescription ?? 'server certificate',
      why: `the certificate whose key type fits both the suite and your signature_algorithms (${sig.length} schemes offered)${s.serverName ? ` and the name ${s.serverName}` : ''}.`,
    });
  }
  if (h.alpn.length > 0 || s.alpnProtocol) {
    out.push({
      what: 'ALPN',
      chosen: s.alpnProtocol ?? 'none',
      why: s.alpnProtocol
        ? `the server's first preference (${v.server.alpn.join(', ')}) among what you offered (${h.alpn.join(', ')}).`
        : 'no protocol in common; the connection continues without ALPN.',
    });
  }
  out.push({
    what: 'Server name',
    chosen: h.serverName ?? '(no SNI)',
    why: h.serverName ? 'taken from your server_name extension; it selects the certificate.' : 'you sent no server_name (browsers omit it for IP addresses).',
  });
  out.push({
    what: 'Resumption',
    chosen: s.resumed ? 'resumed session' : 'full handshake',
    why: s.resumed ? 'you offered a session this server issued and it is still valid.' : 'no resumable session was offered, or it was not accepted.',
  });
  return out;
}

function ordinal(n: number): string {
  if (n <= 0) return '?';
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return n + (s[(v - 20) % 10] ?? s[v] ?? s[0]!);
}

/** Machine-readable view (the page's /json twin). */
export function inspectorJson(v: InspectorView): unknown {
  const h = v.record.clientHello;
  const s = v.summary;
  const fp = h ? fingerprints(h) : undefined;
  const list = (xs: readonly Named[]): { id: string; name: string }[] => xs.map((x) => ({ id: hex4(x.id), name: x.name }));
  return {
    request: v.request,
    negotiated: s
      ? {
          version: s.version,
          cipherSuite: s.cipherSuite.name,
          group: s.group === undefined ? null : groupName(s.group),
          signatureScheme: s.peerSignatureScheme === undefined ? null : signatureSchemeName(s.peerSignatureScheme),
          alpn: s.alpnProtocol ?? null,
          serverName: s.serverName ?? null,
          resumed: s.resumed,
          roundTrips: s.roundTrips,
        }
      : null,
    offered: h
      ? {
          legacyVersion: hex4(h.legacyVersion),
          versions: list(h.versions),
          cipherSuites: list(h.suites),
          groups: list(h.groups),
          keyShares: h.keyShares.map((k) => ({ id: hex4(k.id), name: k.name, length: k.length })),
          signatureAlgorithms: list(h.signatureAlgorithms),
          extensions: h.extensions.map((e) => ({ id: hex4(e.id), name: e.name, length: e.length, summary: e.summary })),
          alpn: h.alpn,
          serverName: h.serverName ?? null,
        }
      : null,
    fingerprints: fp ? { ja3: fp.ja3.hash, ja3Text: fp.ja3.text, ja4: fp.ja4.ja4, ja4_r: fp.ja4.raw, ja4_o: fp.ja4.original, ja4_ro: fp.ja4.rawOriginal } : null,
    reasons: explain(v),
    messages: v.record.messages.map((m) => ({ direction: m.direction === 'received' ? 'client→server' : 'server→client', name: m.name, length: m.length, encrypted: m.encrypted, count: m.count })),
    bytes: { fromClient: v.record.bytesReceived, toClient: v.record.bytesSent },
  };
}

// ------------------------------------------------------------------ sequence diagram

const ROW = 30;
const TOP = 56;

/** An inline SVG: client and server lifelines, one arrow per message, flights shaded. */
export function sequenceDiagram(messages: readonly WireMessage[]): string {
  const W = 760;
  const cx = 150;
  const sx = W - 150;
  const rows = messages.length;
  const H = TOP + rows * ROW + 36;
  const parts: string[] = [];
  parts.push(`<svg class="seq" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Message sequence between your browser and the server" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<defs><marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="ahead"/></marker>`);
  parts.push(`<marker id="ahe" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="ahead-enc"/></marker></defs>`);
  // flights: runs of messages in one direction
  let flight = 0;
  let i = 0;
  while (i < rows) {
    let j = i;
    while (j + 1 < rows && messages[j + 1]!.direction === messages[i]!.direction) j++;
    const y0 = TOP + i * ROW - 6;
    const y1 = TOP + (j + 1) * ROW - 10;
    flight++;
    parts.push(`<rect x="24" y="${y0}" width="${W - 48}" height="${y1 - y0}" rx="8" class="flight ${flight % 2 ? 'odd' : 'even'}"/>`);
    parts.push(`<text x="34" y="${y0 + 15}" class="flabel">flight ${flight}</text>`);
    i = j + 1;
  }
  parts.push(`<text x="${cx}" y="26" class="actor">Your browser</text><text x="${sx}" y="26" class="actor">ts-tls server</text>`);
  parts.push(`<line x1="${cx}" y1="36" x2="${cx}" y2="${H - 10}" class="life"/><line x1="${sx}" y1="36" x2="${sx}" y2="${H - 10}" class="life"/>`);
  messages.forEach((m, k) => {
    const y = TOP + k * ROW + 10;
    const fromClient = m.direction === 'received';
    const x1 = fromClient ? cx + 4 : sx - 4;
    const x2 = fromClient ? sx - 6 : cx + 6;
    const cls = m.kind === 'application_data' ? 'app' : m.kind === 'alert' ? 'alert' : m.kind === 'change_cipher_spec' ? 'ccs' : m.encrypted ? 'enc' : 'plain';
    const label = `${m.name}${m.count > 1 ? ` ×${m.count}` : ''}`;
    const size = m.kind === 'change_cipher_spec' ? '' : `${m.length} B`;
    parts.push(`<g class="msg ${cls}"><line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" marker-end="url(#${m.encrypted ? 'ahe' : 'ah'})"/>`);
    parts.push(`<text x="${(cx + sx) / 2}" y="${y - 6}" class="mlabel">${esc(label)}</text>`);
    if (m.encrypted) parts.push(lockIcon((cx + sx) / 2 - label.length * 3.6 - 16, y - 17));
    if (size) parts.push(`<text x="${fromClient ? cx - 12 : sx + 12}" y="${y + 4}" class="msize" text-anchor="${fromClient ? 'end' : 'start'}">${size}</text>`);
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A 10×12 padlock drawn in SVG (no emoji font needed). */
function lockIcon(x: number, y: number): string {
  return `<g class="lock" transform="translate(${x.toFixed(1)},${y})"><path d="M2.5 5 V3.5 a2.5 2.5 0 0 1 5 0 V5" fill="none" stroke-width="1.6"/><rect x="0.5" y="5" width="9" height="7" rx="1.5"/></g>`;
}

// ------------------------------------------------------------------ page

function chips(xs: readonly Named[], chosen?: number, note?: (x: Named) => string | undefined): string {
  if (xs.length === 0) return '<p class="muted">none offered</p>';
  return `<ol class="chips">${xs
    .map((x) => {
      const n = note?.(x);
      const cls = x.grease ? 'grease' : x.id === chosen ? 'chosen' : '';
      return `<li class="${cls}" title="${hex4(x.id)}"><span class="nm">${esc(x.name)}</span><span class="id">${hex4(x.id)}</span>${n ? `<span class="note">${esc(n)}</span>` : ''}</li>`;
    })
    .join('')}</ol>`;
}

const CSS = `
:root{--bg:#f6f7fb;--card:#fff;--ink:#1b2030;--muted:#667085;--line:#e3e6ee;--accent:#3b5bdb;--accent-soft:#e8edff;--ok:#0f9d6b;--ok-soft:#e3f7ef;--warn:#b54708;--enc:#0b7a75;--plain:#8a94a6;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
@media (prefers-color-scheme:dark){:root{--bg:#0f1320;--card:#171c2c;--ink:#e6e9f2;--muted:#98a2b3;--line:#2a3146;--accent:#8ea6ff;--accent-soft:#232c4d;--ok:#4cd4a0;--ok-soft:#15332a;--enc:#4fd1c5;--plain:#7c8799}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 20px 60px}
header h1{font-size:28px;margin:0 0 4px;letter-spacing:-.01em}header p{margin:0;color:var(--muted)}
.badges{display:flex;flex-wrap:wrap;gap:8px;margin:16px 0 4px}.badge{background:var(--accent-soft);color:var(--accent);border-radius:999px;padding:4px 12px;font-weight:600;font-size:13px}
.badge.ok{background:var(--ok-soft);color:var(--ok)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:18px;margin-top:18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:14px;padding:18px 20px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.card h2{font-size:15px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 0 12px}
.wide{grid-column:1/-1}
.fp{font-family:var(--mono);font-size:20px;font-weight:700;color:var(--accent);overflow-wrap:anywhere}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:6px 14px;margin:10px 0 0;font-size:13px}.kv dt{color:var(--muted)}.kv dd{margin:0;font-family:var(--mono);word-break:break-all}
table{width:100%;border-collapse:collapse;font-size:14px}th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.05em}
td.ch{font-family:var(--mono);font-weight:600;white-space:nowrap}td.num{font-family:var(--mono);color:var(--muted)}
.chips{list-style:none;padding:0;margin:0;display:flex;flex-direction:column;gap:4px;counter-reset:c}
.chips li{counter-increment:c;display:flex;align-items:baseline;gap:10px;padding:5px 10px;border-radius:8px;border:1px solid var(--line);font-size:13px}
.chips li::before{content:counter(c);color:var(--muted);font-family:var(--mono);font-size:11px;min-width:18px}
.wide .chips{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr))}
.chips .nm{font-family:var(--mono);flex:1;overflow-wrap:anywhere}.chips .id{font-family:var(--mono);color:var(--muted);font-size:11px}.chips .note{font-size:11px;color:var(--ok);font-weight:600}
.chips li.chosen{border-color:var(--ok);background:var(--ok-soft)}.chips li.chosen .nm{font-weight:700}
.chips li.grease{opacity:.55;border-style:dashed}
.muted{color:var(--muted)}
.seq{display:block;max-width:100%;margin:4px auto 0}
.seq .actor{font:700 15px system-ui,sans-serif;fill:var(--ink);text-anchor:middle}
.seq .life{stroke:var(--line);stroke-width:2;stroke-dasharray:4 4}
.seq .flight.odd{fill:var(--accent-soft);opacity:.45}.seq .flight.even{fill:var(--ok-soft);opacity:.45}
.seq .flabel{font:600 10px system-ui,sans-serif;fill:var(--muted);text-transform:uppercase}
.seq .msg line{stroke:var(--plain);stroke-width:2}.seq .msg.enc line,.seq .msg.app line{stroke:var(--enc)}.seq .msg.alert line{stroke:var(--warn)}.seq .msg.ccs line{stroke-dasharray:5 4}
.seq .lock path{stroke:var(--enc)}.seq .lock rect{fill:var(--enc)}
.seq .ahead{fill:var(--plain)}.seq .ahead-enc{fill:var(--enc)}
.seq .mlabel{font:600 13px system-ui,sans-serif;fill:var(--ink);text-anchor:middle}.seq .msize{font:11px var(--mono);fill:var(--muted)}
.legend{display:flex;gap:16px;font-size:12px;color:var(--muted);margin-top:6px;flex-wrap:wrap}.legend i{display:inline-block;width:22px;height:3px;vertical-align:middle;margin-right:6px;border-radius:2px}
details summary{cursor:pointer;color:var(--accent);font-weight:600}pre{font-family:var(--mono);font-size:12px;white-space:pre-wrap;word-break:break-all;background:var(--bg);padding:12px;border-radius:8px;border:1px solid var(--line)}
footer{margin-top:24px;color:var(--muted);font-size:12px;text-align:center}
`;

export function renderInspectorPage(v: InspectorView): string {
  const h = v.record.clientHello;
  const s = v.summary;
  const fp = h ? fingerprints(h) : undefined;
  const reasons = explain(v);
  const badges: string[] = [];
  if (s) {
    badges.push(`<span class="badge ok">${short(s.version)}</span>`, `<span class="badge">${esc(s.cipherSuite.name)}</span>`);
    if (s.group !== undefined) badges.push(`<span class="badge">${esc(groupName(s.group))}</span>`);
    if (s.alpnProtocol) badges.push(`<span class="badge">ALPN ${esc(s.alpnProtocol)}</span>`);
    if (s.serverName) badges.push(`<span class="badge">SNI ${esc(s.serverName)}</span>`);
    badges.push(`<span class="badge">${s.resumed ? 'resumed' : 'full handshake'}</span>`);
  }
  const body: string[] = [];
  body.push(`<header><h1>Your TLS handshake</h1><p>As this ts-tls server saw it — ${esc(v.request.method)} ${esc(v.request.path)} over HTTP/${esc(v.request.httpVersion)}${v.request.remoteAddress ? ` from ${esc(v.request.remoteAddress)}` : ''}.</p><div class="badges">${badges.join('')}</div></header>`);
  body.push('<div class="grid">');
  if (fp) {
    body.push(`<section class="card" id="ja4"><h2>JA4 fingerprint</h2><div class="fp" data-ja4>${esc(fp.ja4.ja4)}</div><dl class="kv"><dt>JA4_o</dt><dd>${esc(fp.ja4.original)}</dd><dt>JA4_r</dt><dd>${esc(fp.ja4.raw)}</dd></dl></section>`);
    body.push(`<section class="card" id="ja3"><h2>JA3 fingerprint</h2><div class="fp" data-ja3>${esc(fp.ja3.hash)}</div><dl class="kv"><dt>JA3 string</dt><dd>${esc(fp.ja3.text)}</dd></dl></section>`);
  } else {
    body.push(`<section class="card wide"><h2>ClientHello</h2><p>Not available${v.record.helloError ? `: ${esc(v.record.helloError)}` : ' (was the server started with trace: true?)'}.</p></section>`);
  }
  if (reasons.length > 0) {
    body.push(`<section class="card wide" id="chosen"><h2>What was chosen, and why</h2><table><thead><tr><th>Parameter</th><th>Chosen</th><th>Why</th></tr></thead><tbody>${reasons
      .map((r) => `<tr><td>${esc(r.what)}</td><td class="ch">${esc(r.chosen)}</td><td>${esc(r.why)}</td></tr>`)
      .join('')}</tbody></table></section>`);
  }
  body.push(`<section class="card wide" id="sequence"><h2>Messages exchanged</h2>${sequenceDiagram(v.record.messages)}<div class="legend"><span><i style="background:var(--plain)"></i>in the clear</span><span><i style="background:var(--enc)"></i>encrypted</span><span>${v.record.bytesReceived} bytes from you, ${v.record.bytesSent} bytes to you so far${s ? ` · ${s.roundTrips} round trip${s.roundTrips === 1 ? '' : 's'} before application data` : ''}</span></div></section>`);
  if (h) {
    const supported = (id: number): string | undefined => (cipherSuiteInfo(id) ? (v.server.suites.includes(id) ? 'server accepts' : undefined) : undefined);
    body.push(`<section class="card" id="versions"><h2>Offered versions</h2>${chips(h.versions, s ? (s.version === 'TLSv1.3' ? 0x0304 : 0x0303) : undefined)}<dl class="kv"><dt>legacy_version</dt><dd>${hex4(h.legacyVersion)}</dd><dt>session id</dt><dd>${h.sessionIdLength} bytes</dd></dl></section>`);
    body.push(`<section class="card wide" id="suites"><h2>Offered cipher suites (${h.suites.length})</h2>${chips(h.suites, s?.cipherSuite.id, (x) => (x.id === s?.cipherSuite.id ? 'chosen' : supported(x.id)))}</section>`);
    body.push(`<section class="card" id="groups"><h2>Offered groups (${h.groups.length})</h2>${chips(h.groups, s?.group, (x) => (h.keyShares.some((k) => k.id === x.id) ? `key share ${h.keyShares.find((k) => k.id === x.id)!.length} B` : undefined))}</section>`);
    body.push(`<section class="card" id="keyshares"><h2>Key shares sent</h2>${chips(h.keyShares, s?.group, (x) => `${h.keyShares.find((k) => k.id === x.id)?.length ?? 0} B`)}</section>`);
    body.push(`<section class="card wide" id="sigalgs"><h2>Signature schemes (${h.signatureAlgorithms.length})</h2>${chips(h.signatureAlgorithms, s?.peerSignatureScheme)}</section>`);
    body.push(`<section class="card" id="alpn"><h2>ALPN and SNI</h2><dl class="kv"><dt>ALPN offered</dt><dd>${esc(h.alpn.join(', ') || 'none')}</dd><dt>ALPN chosen</dt><dd>${esc(s?.alpnProtocol ?? 'none')}</dd><dt>SNI</dt><dd>${esc(h.serverName ?? '(none)')}</dd><dt>PSK modes</dt><dd>${esc(h.pskModes.map((m) => m.name).join(', ') || 'none')}</dd></dl></section>`);
    body.push(`<section class="card wide" id="extensions"><h2>Extensions, in the order sent (${h.extensions.length})</h2><table><thead><tr><th>#</th><th>Extension</th><th>Type</th><th>Length</th><th>Content</th></tr></thead><tbody>${h.extensions
      .map((e, k) => `<tr${e.grease ? ' class="muted"' : ''}><td class="num">${k + 1}</td><td>${esc(e.name)}</td><td class="num">${hex4(e.id)}</td><td class="num">${e.length}</td><td>${esc(e.summary)}</td></tr>`)
      .join('')}</tbody></table></section>`);
    body.push(`<section class="card wide"><details><summary>Raw ClientHello (${h.raw.length} bytes)</summary><pre>${Buffer.from(h.raw).toString('hex').replace(/(.{64})/g, '$1\n')}</pre></details></section>`);
  }
  body.push('</div>');
  body.push(`<footer>Rendered by ts-tls from its own trace of this connection${v.request.userAgent ? ` · ${esc(v.request.userAgent)}` : ''}</footer>`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>ts-tls inspector — your handshake</title><style>${CSS}</style></head><body><main>${body.join('')}</main></body></html>`;
}
