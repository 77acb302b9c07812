/**
 * Handlers → layer → undici → the WeCom sandbox over loopback HTTP: every operation's real handler
 * with a runtime built on the sandbox, and a logger that keeps what was logged for inspection.
 */
import { LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox, SandboxOptions } from '#sandbox/types.ts';
import type { Runtime } from '#shared/contracts.ts';
import { createOperationHandler } from '#shared/handler.ts';
import type { InvocationLogger } from '#shared/middleware/logging.ts';
import { OPERATIONS, type OperationId } from '#shared/operations.ts';
import { createRuntime } from '#shared/runtime.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: unknown[];
}

export class CapturingLogger implements InvocationLogger {
  readonly records: LogRecord[] = [];
  /** Keeps every level, DEBUG included. */
  readonly level = LogLevelThreshold.DEBUG;
  debug = (message: unknown, ...fields: unknown[]) => this.#keep('debug', message, fields);
  info = (message: unknown, ...fields: unknown[]) => this.#keep('info', message, fields);
  warn = (message: unknown, ...fields: unknown[]) => this.#keep('warn', message, fields);
  error = (message: unknown, ...fields: unknown[]) => this.#keep('error', message, fields);

  /** Everything logged, as one string, for "never appears in the logs" assertions. */
  text(): string {
    return JSON.stringify(this.records, (_, value) =>
      value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value,
    );
  }

  #keep(level: LogRecord['level'], message: unknown, fields: unknown[]) {
    this.records.push({ level, message: String(message), fields });
  }
}

export interface Harness {
  readonly sandbox: Sandbox;
  readonly runtime: Runtime;
  readonly logger: CapturingLogger;
  /** Invokes the operation's handler as Lambda would. */
  invoke(id: OperationId, event: unknown, context?: Context): Promise<unknown>;
  stop(): Promise<void>;
}

/** `secrets` overrides what the runtime sends (e.g. a wrong secret); default the sandbox's own. */
export async function startHarness(
  options: SandboxOptions = {},
  secrets?: (sandbox: Sandbox) => { contact: string; app?: string },
): Promise<Harness> {
  const sandbox = await startSandbox({ seed: 'demo', ...options });
  const runtime = createRuntime({
    baseUrl: sandbox.url,
    corpId: sandbox.corpId,
    secrets: secrets?.(sandbox) ?? { contact: sandbox.contactSecret, app: sandbox.apps[0]?.secret },
  });
  const logger = new CapturingLogger();
  const handlers = new Map(
    OPERATIONS.map(({ id }) => [id, createOperationHandler(id, { runtime: () => runtime, logger })]),
  );
  return {
    sandbox,
    runtime,
    logger,
    invoke: (id, event, context) => {
      const handler = handlers.get(id);
      if (handler === undefined) throw new Error(`no handler for ${id}`);
      return handler(event, context ?? fakeLambdaContext({ functionName: id, timeoutMs: 30_000 }));
    },
    stop: () => sandbox.stop(),
  };
}

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** An API Gateway structured result with its JSON body parsed. */
export function httpAnswer(result: unknown): HttpAnswer {
  const { statusCode, headers, body } = result as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  };
  return { statusCode, headers, body: JSON.parse(body) as Record<string, unknown> };
}
