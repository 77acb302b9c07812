/**
 * Directory change events in local mode (docs/events.md, "Local mode"): the contact-callback handler on
 * /callbacks/contact with in-memory de-duplication and a sink that prints each event as EventBridge
 * would deliver it, and, with the embedded sandbox, its admin console on POST /_sandbox/console
 * configured to call that route back as WeCom would.
 *
 * Secrets: WECOM_CALLBACK_TOKEN / WECOM_CALLBACK_AES_KEY when set, else the local pair below (never
 * deployed: the stack reads SSM); receive id WECOM_CORP_ID, else the sandbox's corp id.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AdminConsole, ConsoleChangeRefused } from '#sandbox/console/admin-console.ts';
import { CHANGE_KINDS, type ContactChange, type FieldSet } from '#sandbox/console/messages.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { MemoryDedupStore } from '#shared/callback/dedup.ts';
import { memberEnricher } from '#shared/callback/enrich.ts';
import type { DirectoryEvent } from '#shared/callback/events.ts';
import { CALLBACK_FUNCTION } from '#shared/callback/function.ts';
import { CALLBACK_ENV, createContactCallbackHandler } from '#shared/callback/handler.ts';
import type { EventPublisher } from '#shared/callback/publisher.ts';
import { staticCallbackSecrets } from '#shared/callback/secrets.ts';
import { jsonResponse } from '#shared/middleware/respond.ts';
import { getRuntime } from '#shared/runtime.ts';
import { ENV } from '#shared/stage-names.ts';
import { toApiGatewayEvent } from './api-gateway.ts';
import { createLambdaContext } from './lambda-context.ts';
import type { Environment } from './wecom-target.ts';

/** Local only: the pair `npm start` uses unless the environment gives one. */
export const LOCAL_CALLBACK_SECRETS = {
  token: 'LocalCallbackToken',
  encodingAesKey: 'LocalCallbackEncodingAesKey0123456789abcdef',
} as const;

export const CONSOLE_PATH = '/_sandbox/console';

/** The event as a rule's target receives it from EventBridge. */
export function asDelivered(event: DirectoryEvent, busName: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': event.detailType,
    source: event.source,
    account: '000000000000',
    time: (event.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'local',
    resources: [],
    'event-bus-name': busName,
    detail: event.detail,
  };
}

export interface LocalCallbacksOptions {
  readonly env: Environment;
  readonly sandbox?: Sandbox;
  /** The local API's base URL, known once it listens. */
  readonly baseUrl: () => string;
  /** Receives each published event, as JSON text. */
  readonly print: (text: string) => void;
  /** Runs one invocation in its own async context, as the local server does for every function. */
  readonly run?: <T>(requestId: string, invocation: () => Promise<T>) => Promise<T>;
}

export interface LocalCallbacks {
  /** Serves /callbacks/contact (GET and POST) and the console, or `undefined` for other paths. */
  answer(request: IncomingMessage, url: URL, body: Buffer): Promise<unknown> | undefined;
  readonly events: readonly DirectoryEvent[];
}

/** A console change as posted, or `undefined` when it is not JSON or names no known kind. */
function parseChange(body: Buffer): (ContactChange & { fields?: FieldSet }) | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8'));
    return CHANGE_KINDS.includes(parsed?.kind) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const value = (env: Environment, name: string) => env[name]?.trim() || undefined;

export function localCallbacks({
  env,
  sandbox,
  baseUrl,
  print,
  run = (_, invocation) => invocation(),
}: LocalCallbacksOptions): LocalCallbacks {
  const token = value(env, CALLBACK_ENV.token) ?? LOCAL_CALLBACK_SECRETS.token;
  const encodingAesKey = value(env, CALLBACK_ENV.aesKey) ?? LOCAL_CALLBACK_SECRETS.encodingAesKey;
  const corpId = value(env, ENV.corpId) ?? sandbox?.corpId ?? 'local';
  const events: DirectoryEvent[] = [];
  const publisher: EventPublisher = {
    async publish(event) {
      events.push(event);
      print(JSON.stringify(asDelivered(event, 'wecom-contact-local'), null, 2));
    },
  };
  const handler = createContactCallbackHandler({
    secrets: staticCallbackSecrets(token, encodingAesKey, corpId),
    dedup: new MemoryDedupStore(),
    publisher,
    enrich: value(env, CALLBACK_ENV.enrich) === 'false' ? false : memberEnricher(getRuntime),
    count: () => {},
  });

  const consoles = new Map<FieldSet, AdminConsole>();
  const adminConsole = (fields: FieldSet) => {
    if (!sandbox) return undefined;
    const target = { url: `${baseUrl()}${CALLBACK_FUNCTION.path}`, token, encodingAesKey, corpId };
    const made = consoles.get(fields) ?? new AdminConsole({ sandbox, target, fields });
    consoles.set(fields, made);
    return made;
  };

  const runConsole = async (method: string, body: Buffer) => {
    if (method !== 'POST') return jsonResponse(405, { message: 'POST a change' });
    const request = parseChange(body);
    if (!request) {
      return jsonResponse(400, {
        message: `The body must be a JSON change, kind one of ${CHANGE_KINDS.join(', ')} (docs/events.md, Local mode)`,
      });
    }
    const console = adminConsole(request.fields === 'full' ? 'full' : 'minimal');
    if (!console) return jsonResponse(404, { message: 'The console needs the embedded sandbox' });
    const before = events.length;
    try {
      const result = await console.apply(request);
      return jsonResponse(200, {
        ...result,
        events: events.slice(before).map((event) => asDelivered(event, 'wecom-contact-local')),
      });
    } catch (error) {
      if (error instanceof ConsoleChangeRefused)
        return jsonResponse(400, { message: error.message, errcode: error.errcode });
      throw error;
    }
  };

  return {
    events,
    answer(request, url, body) {
      const method = request.method ?? 'GET';
      if (url.pathname === CONSOLE_PATH) return runConsole(method, body);
      if (url.pathname !== CALLBACK_FUNCTION.path) return undefined;
      const event = toApiGatewayEvent({
        request,
        url,
        body,
        routeKey: `${method} ${CALLBACK_FUNCTION.path}`,
        pathParameters: {},
      });
      const context = createLambdaContext({
        functionName: `wecom-contact-${CALLBACK_FUNCTION.id}`,
        timeoutMs: 5_000,
      });
      return run(context.awsRequestId, () => handler(event, context));
    },
  };
}
