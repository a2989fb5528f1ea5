/**
 * request()/get(): node:https's client calls, over ts-tls. The HTTP side is
 * node:http's own ClientRequest; only the connection comes from our Agent.
 */
import * as http from 'node:http';
import { Agent, globalAgent, type TLSAgentOptions } from './agent.js';

/** node:https's request options: node:http's and every TLS option connect() takes (session included). */
export type RequestOptions = http.RequestOptions & TLSAgentOptions & { session?: Uint8Array };
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

export function request(url: string | URL, options: RequestOptions, callback?: Callback): http.ClientRequest;
export function request(urlOrOptions: string | URL | RequestOptions, callback?: Callback): http.ClientRequest;
export function request(a: string | URL | RequestOptions, b?: RequestOptions | Callback, c?: Callback): http.ClientRequest {
  const options = normalize(a, b);
  const cb = typeof b === 'function' ? b : c;
  if (options.agent === undefined || options.agent === null) {
    // As node:https: the global agent, whose pool key separates requests with different TLS options.
    if (typeof options.createConnection !== 'function') options.agent = globalAgent;
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
