/**
 * The handler of an endpoint function: its operation from the table, bound to the layer's middleware
 * chain (docs/architecture.md §2). A function entry in functions/ is one call to `createOperationHandler`.
 *
 * Chain (middy runs `before` in this order, `after` and `onError` in reverse):
 *   lambdaContext → mapErrors → logInvocation → shapeResponse → prepareInvocation (normalise → parse
 *   → validate, one typed pipeline) → execute
 * so every log line of the invocation carries its request id, the log sees the error as it was
 * raised, and mapErrors has the last word on what the caller gets.
 */
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Runtime } from './contracts.ts';
import type { OperationRow } from './invocation.ts';
import { executeOperation } from './middleware/execute.ts';
import { lambdaLogContext } from './middleware/log-context.ts';
import { type InvocationLogger, logInvocation } from './middleware/logging.ts';
import { prepareInvocation } from './middleware/prepare.ts';
import { mapErrors, shapeResponse } from './middleware/respond.ts';
import { logger as defaultLogger, logDefaults } from './observability.ts';
import { getOperation, type OperationId } from './operations.ts';
import { getRuntime } from './runtime.ts';

export interface OperationHandlerOptions {
  /**
   * Where the handler gets its WeCom client and credentials.
   * @default the container's runtime (`getRuntime`: built from the environment the stack sets, or the one `setRuntime` injected)
   * @example { runtime: () => createRuntime({ corpId: 'ww…', secrets: { contact: '…' } }) }
   */
  readonly runtime?: () => Runtime;
  /**
   * Where the chain's own outcome lines go (default: the layer's logger). The Lambda context always
   * goes on the layer's logger, which the client and the token provider write to.
   * @default the layer's Powertools logger (`observability.ts`)
   * @example { logger: new Logger({ serviceName: 'members' }) }
   */
  readonly logger?: InvocationLogger;
}

/**
 * Accepts an API Gateway HTTP API (2.0) event, a direct invoke / Step Functions payload, an
 * EventBridge event or an SQS batch, and answers in that source's shape.
 */
export type OperationHandler = MiddyfiedHandler<unknown, unknown, Error, Context>;

/**
 * No early-timeout guard of middy's: it would start a second timer on every invocation. The
 * invocation's one deadline (execute.ts: the Lambda's remaining time less a margin) bounds every wait
 * on the way (the token provider's, each WeCom attempt's), and SSM calls have short timeouts of their
 * own (runtime.ts), so a call gives up, and the caller gets its 504, before Lambda's timeout.
 */
const MIDDY_OPTIONS = { timeoutEarlyInMillis: 0 } as const;

export function createOperationHandler(
  id: OperationId,
  options: OperationHandlerOptions = {},
): OperationHandler {
  const operation: OperationRow = getOperation(id);
  // Its input schema is built now, in the init phase (which provisioned concurrency runs ahead of any
  // request), not in the first invocation.
  operation.input;
  return (
    middy<unknown, unknown, Error, Context>(
      executeOperation(operation, options.runtime ?? getRuntime),
      MIDDY_OPTIONS,
    )
      // Keys a step appends during one invocation never reach the next.
      .use(lambdaLogContext(defaultLogger, logDefaults))
      .use(mapErrors(operation))
      .use(logInvocation(operation, options.logger ?? defaultLogger))
      .use(shapeResponse(operation))
      .use(prepareInvocation(operation))
  );
}
