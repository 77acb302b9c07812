/**
 * The HTTP edge: reading a request (path, query, caller ip, body bytes) and writing WeCom's answer with
 * the headers WeCom sends (§0: always 200, `Content-Type: application/json; charset=UTF-8`,
 * `Error-Code`, `Error-Msg`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail } from './envelope.ts';

/** WeCom's own bodies are far smaller; this only keeps a runaway client from filling memory. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface IncomingCall {
  readonly method: string;
  /** The path without the query, e.g. `/cgi-bin/user/get`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The caller's IPv4 (or IPv6) address as WeCom reports it in `from ip: …`. */
  readonly ip: string;
}

export function describeCall(request: IncomingMessage): IncomingCall {
  const target = request.url ?? '/';
  const queryStart = target.indexOf('?');
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));
  const address = request.socket.remoteAddress ?? '0.0.0.0';
  return { method: request.method ?? 'GET', path, query, ip: address.replace(/^::ffff:/, '') };
}

/** Reads the whole body; `undefined` when it exceeds the cap (the rest is drained, not kept). */
export async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size <= MAX_BODY_BYTES) chunks.push(bytes);
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** A `\u` escape preceded by an even number of backslashes, i.e. a real JSON escape (§0: 40033). */
const UNICODE_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u[0-9a-fA-F]{4}/;

/** Decodes a POST body into a JSON object the way WeCom judges it: 40033 for escapes, else 40058. */
export function decodeJsonBody(body: Buffer | undefined): Record<string, unknown> {
  if (body === undefined) fail(40058, 'Warning: wrong json format. request body too large');
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return fail(40033);
  }
  if (UNICODE_ESCAPE.test(text)) fail(40033);
  if (text.trim() === '') fail(40058, 'Warning: wrong json format. empty post data');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(40058, 'Warning: wrong json format. invalid json');
  }
  if (!isJsonObject(parsed)) fail(40058, 'Warning: wrong json format. body must be a json object');
  return parsed;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Header values must be printable Latin-1; WeCom's own Error-Msg is ASCII, so keep ASCII only. */
const headerSafe = (value: string) => value.replace(/[^\x20-\x7e]/g, '?');

export function writeJson(response: ServerResponse, body: { errcode: number; errmsg: string }): void {
  const payload = JSON.stringify(body);
  response.writeHead(200, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(payload),
    'Error-Code': String(body.errcode),
    'Error-Msg': headerSafe(body.errmsg),
    Server: 'nginx',
  });
  response.end(payload);
}

/** What an upstream proxy in front of WeCom sends when it fails (fault injection only). */
export function writeProxyError(response: ServerResponse, status: number): void {
  const payload = `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>`;
  response.writeHead(status, {
    'Content-Type': 'text/html',
    'Content-Length': Buffer.byteLength(payload),
    Server: 'nginx',
  });
  response.end(payload);
}
