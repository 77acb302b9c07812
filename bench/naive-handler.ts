/**
 * The naive baseline of `naive_latency_ratio`: what a user-get handler looks like without a token
 * cache. Every request reads the corp id and secret from SSM, calls gettoken, then user/get. Clients
 * stay at module scope (it is naive about tokens, not about connections).
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type Dispatcher, request } from 'undici';
import { parameterNames } from '#shared/stage-names.ts';

export interface NaiveHandlerOptions {
  readonly ssm: SSMClient;
  readonly prefix: string;
  readonly baseUrl: string;
  readonly dispatcher: Dispatcher;
}

export type NaiveHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export function createNaiveHandler({ ssm, prefix, baseUrl, dispatcher }: NaiveHandlerOptions): NaiveHandler {
  const names = parameterNames(prefix);
  const getJson = async (api: string, query: Record<string, string>) => {
    const { body } = await request(`${baseUrl}/cgi-bin/${api}?${new URLSearchParams(query)}`, { dispatcher });
    return (await body.json()) as Record<string, unknown>;
  };

  return async (event) => {
    const { Parameters = [] } = await ssm.send(
      new GetParametersCommand({ Names: [names.corpId, names.secret('contact')], WithDecryption: true }),
    );
    const value = (name: string) => Parameters.find((parameter) => parameter.Name === name)?.Value ?? '';
    const grant = await getJson('gettoken', {
      corpid: value(names.corpId),
      corpsecret: value(names.secret('contact')),
    });
    const member = await getJson('user/get', {
      access_token: String(grant.access_token),
      userid: event.pathParameters?.userid ?? '',
    });
    return {
      statusCode: member.errcode === 0 ? 200 : 502,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(member),
    };
  };
}
