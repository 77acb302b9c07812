/**
 * The layer package's public entry (`@wecom-contact/layer`): what the function entries, the local
 * server and the scripts import. Everything else in src/ is internal to the layer.
 */

export { ValidationError } from './src/errors.ts';
export {
  createOperationHandler,
  type OperationHandler,
  type OperationHandlerOptions,
} from './src/handler.ts';
export { describeError, ERRCODE_RULES, type ErrcodeRule, type ErrorDescription } from './src/http-errors.ts';
export { MAX_BODY_BYTES, MethodNotAllowedError } from './src/middleware/http-input.ts';
export type { OperationRow } from './src/middleware/invocation.ts';
export { errorResponse, jsonResponse } from './src/middleware/respond.ts';
export { type CompiledRoute, compileRoute, findRoute, type RouteMatch } from './src/middleware/routing.ts';
export { generateOpenApi, type OpenApiDocument, type OpenApiOptions } from './src/openapi.ts';
export {
  getOperation,
  OPERATIONS,
  type Operation,
  type OperationDefinition,
  type OperationId,
} from './src/operations.ts';
export { createReportHandler } from './src/report/handler.ts';
export {
  createRuntime,
  getRuntime,
  type LayerRuntime,
  type RuntimeOptions,
  resetRuntime,
  runtimeFromEnvironment,
  setRuntime,
} from './src/runtime.ts';
export type { Runtime } from './src/runtime-types.ts';
