/**
 * ts-tls HTTPS: node:https's shape (request, get, createServer, Agent) over
 * ts-tls, HTTP/2 by ALPN through node:http2, and a connector for undici's fetch.
 */
export { Agent, globalAgent, type AgentOptions, type TLSAgentOptions } from './agent.js';
export { request, get, type RequestOptions } from './request.js';
export { createServer, Server, type ServerOptions, type RequestListener } from './server.js';
export { connectHttp2, type Http2ConnectOptions } from './http2.js';
export { undiciConnector, type UndiciConnector, type UndiciConnectOptions, type UndiciConnectorOptions } from './undici.js';
