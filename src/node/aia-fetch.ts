/**
 * The Node fetch function for caIssuers URLs (src/x509/aia.ts), on node:http.
 *
 * http: only, as browsers fetch AIA (no TLS inside path building, so no
 * recursion). A GET with no keep-alive (nothing lingers after the
 * verification), at most MAX_AIA_REDIRECTS redirects to other http: URLs
 * (a loop is refused as one), a 200 answer only, the body cut off past
 * `maxBytes` (Content-Length checked first), and the request destroyed when
 * the verifier aborts or `timeoutMs` passes. Every failure rejects with a
 * sentence that ends up in the verification message.
 */
import * as http from 'node:http';
import type { AiaFetcher, AiaFetchRequest } from '../x509/aia.js';
import { MAX_AIA_REDIRECTS } from '../x509/limits.js';

export const fetchIntermediate: AiaFetcher = async (req: AiaFetchRequest): Promise<Uint8Array> => {
  const seen = new Set<string>();
  let url = req.url;
  for (let hops = 0; ; hops++) {
    seen.add(url);
    const r = await getOnce(url, req);
    if (r.kind === 'body') return r.body;
    if (hops >= MAX_AIA_REDIRECTS) throw new Error(`more than ${MAX_AIA_REDIRECTS} redirects`);
    let next: URL;
    try {
      next = new URL(r.location, url);
    } catch {
      throw new Error(`redirect to an invalid URL "${r.location}"`);
    }
    if (next.protocol !== 'http:') throw new Error(`redirect to ${next.protocol} (only http: is fetched)`);
    if (seen.has(next.href)) throw new Error(`redirect loop at ${next.href}`);
    url = next.href;
  }
};

type Answer = { kind: 'body'; body: Uint8Array } | { kind: 'redirect'; location: string };

function getOnce(url: string, req: AiaFetchRequest): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    if (req.signal.aborted) return reject(new Error('aborted'));
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return reject(new Error(`invalid URL "${url}"`));
    }
    if (parsed.protocol !== 'http:') return reject(new Error(`${parsed.protocol} URLs are not fetched (http: only)`));
    const request = http.get(parsed, { agent: false, headers: { accept: 'application/pkix-cert, application/pkcs7-mime, */*' } });
    const onAbort = (): void => {
      request.destroy(new Error('aborted'));
    };
    req.signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => req.signal.removeEventListener('abort', onAbort);
    request.setTimeout(req.timeoutMs, () => request.destroy(new Error(`timed out after ${req.timeoutMs} ms`)));
    request.on('error', (e) => {
      done();
      reject(e);
    });
    request.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        done();
        request.destroy();
        return resolve({ kind: 'redirect', location: res.headers.location });
      }
      if (status !== 200) {
        res.resume();
        done();
        request.destroy();
        return reject(new Error(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`));
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > req.maxBytes) {
        done();
        request.destroy();
        return reject(new Error(`response of ${declared} bytes exceeds ${req.maxBytes}`));
      }
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxBytes) {
          done();
          request.destroy();
          reject(new Error(`response exceeds ${req.maxBytes} bytes`));
          return;
        }
        parts.push(chunk);
      });
      res.on('end', () => {
        done();
        if (size <= req.maxBytes) resolve({ kind: 'body', body: new Uint8Array(Buffer.concat(parts)) });
      });
      res.on('error', (e) => {
        done();
        reject(e);
      });
    });
  });
}
