/**
 * The conventional alternative the layer is measured against (docs/performance.md): the user-get endpoint
 * as a team would write it with the usual tools, and nothing of ours. middy with its JSON body parser
 * and HTTP error handler, parameters read through Powertools (its 5 s cache), the access_token cached
 * in the container only (every container fetches its own), and the runtime's native fetch.
 */
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { createError } from '@middy/util';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface ConventionalOptions {
  /** Reads one SSM parameter (Powertools' `getParameter` in the function). */
  readonly readParameter: (name: string, decrypt: boolean) => Promise<string | undefined>;
  readonly corpIdParameter: string;
  readonly secretParameter: string;
  readonly baseUrl: string;
  /** Default Date.now (the herd measurement moves a clock). */
  readonly now?: () => number;
}

/** Renewed this long before WeCom's expiry, as WeCom's documentation advises. */
const EXPIRY_MARGIN_MS = 300_000;
const TOKEN_REJECTED = new Set([40014, 42001]);

interface WeComAnswer {
  readonly errcode: number;
  readonly errmsg?: string;
  readonly access_token?: string;
  readonly expires_in?: number;
}

export function createConventionalHandler(options: ConventionalOptions) {
  const now = options.now ?? Date.now;
  let cached: { token: string; expiresAt: number } | undefined;

  const getJson = async (path: string): Promise<{ answer: WeComAnswer; text: string }> => {
    const response = await fetch(`${options.baseUrl}/cgi-bin/${path}`);
    if (!response.ok) throw createError(502, `WeCom answered HTTP ${response.status}`);
    const text = await response.text();
    return { answer: JSON.parse(text) as WeComAnswer, text };
  };

  const accessToken = async (): Promise<string> => {
    if (cached !== undefined && cached.expiresAt > now()) return cached.token;
    const [corpid, corpsecret] = await Promise.all([
      options.readParameter(options.corpIdParameter, false),
      options.readParameter(options.secretParameter, true),
    ]);
    if (corpid === undefined || corpsecret === undefined) throw createError(500, 'WeCom is not configured');
    const { answer } = await getJson(`gettoken?${new URLSearchParams({ corpid, corpsecret })}`);
    if (answer.errcode !== 0 || answer.access_token === undefined) {
      throw createError(502, `gettoken failed with errcode ${answer.errcode}`);
    }
    const lifetimeMs = (answer.expires_in ?? 7200) * 1000 - EXPIRY_MARGIN_MS;
    cached = { token: answer.access_token, expiresAt: now() + lifetimeMs };
    return cached.token;
  };

  const getMember = async (userid: string, retried = false): Promise<APIGatewayProxyStructuredResultV2> => {
    const query = new URLSearchParams({ access_token: await accessToken(), userid });
    const { answer, text } = await getJson(`user/get?${query}`);
    if (TOKEN_REJECTED.has(answer.errcode) && !retried) {
      cached = undefined;
      return getMember(userid, true);
    }
    if (answer.errcode === 60111) throw createError(404, 'No such member', { expose: true });
    if (answer.errcode !== 0) throw createError(502, `WeCom errcode ${answer.errcode}`);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: text };
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorHandler())
    .use(httpJsonBodyParser({ disableContentTypeError: true }))
    .handler(async (event) => {
      const userid = event.pathParameters?.userid;
      if (userid === undefined) throw createError(400, 'userid is required', { expose: true });
      return getMember(userid);
    });
}
