/**
 * request()/get(): node:https's client calls, over ts-tls. The HTTP side is
 * node:http's own ClientRequest; only the connection comes from our Agent.
 */
import * as http from 'node:http';
import { Agent, globalAgent, type TLSAgentOptions } from './agent.js';

export type RequestOptions = http.RequestOptions & TLSAgentOptions;
type Callback = (res: http.IncomingMessage) => void;

function normalize(a: string | URL | RequestOptions, b?: RequestOptions | Callback): RequestOptions {
  let o: RequestOptions = {};
  if (typeof a === 'string' || a instanceof URL) {
    const u = typeof a === 'string' ? new URL(a) : a;
    if (u.protocol !== 'https:') throw new TypeError(`Protocol "${u.protocol}" not supported. Expected "https:"`);
    o = {
      protocol: 'https:',
      hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
      port: u.port ? Number(u.port) : 443,
      path: `${u.pathname}${u.search}`,
      ...(u.username || u.password ? { auth: `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` } : {}),
    };
    if (b && typeof b === 'object') o = { ...o, ...b };
  } else {
    o = { ...a };
  }
  o.protocol = 'https:';
  o.port ??= o.defaultPort ?? 443;
  return o;
}

const TLS_OPTION_NAMES = ['ca', 'cert', 'key', 'passphrase', 'servername', 'rejectUnauthorized', 'minVersion', 'maxVersion', 'cipherSuites', 'ciphers', 'groups', 'ALPNProtocols', 'trace'];

export function request(url: string | URL, options: RequestOptions, callback?: Callback): http.ClientRequest;
export function request(urlOrOptions: string | URL | RequestOptions, callback?: Callback): http.ClientRequest;
export function request(a: string | URL | RequestOptions, b?: RequestOptions | Callback, c?: Callback): http.ClientRequest {
  const options = normalize(a, b);
  const cb = typeof b === 'function' ? b : c;
  if (options.agent === undefined) {
    // node:https: TLS options on the request make a connection of their own when no agent is given.
    const hasTls = TLS_OPTION_NAMES.some((k) => (options as Record<string, unknown>)[k] !== undefined);
    options.agent = hasTls ? new Agent({ keepAlive: false }) : globalAgent;
  } else if (options.agent === false) {
    options.agent = new Agent({ keepAlive: false });
  }
  return cb ? http.request(options, cb) : http.request(options);
}

export function get(url: string | URL, options: RequestOptions, callback?: Callback): http.ClientRequest;
export function get(urlOrOptions: string | URL | RequestOptions, callback?: Callback): http.ClientRequest;
export function get(a: string | URL | RequestOptions, b?: RequestOptions | Callback, c?: Callback): http.ClientRequest {
  const req = typeof b === 'object' ? request(a as string | URL, b, c) : request(a, b);
  req.end();
  return req;
}
