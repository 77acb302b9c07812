/**
 * The layer package's public entry (`@wecom-contact/layer`): what the function entries import, and
 * all the layer build bundles into its runtime entry. Keep it to what a deployed function runs: every
 * export here is loaded on each cold start. Local tools (the local server, the OpenAPI script) import
 * the internals they need through `#shared/...`.
 */

export { createDoctorHandler, type DoctorHandler } from './src/doctor/handler.ts';
export {
  createOperationHandler,
  type OperationHandler,
  type OperationHandlerOptions,
} from './src/handler.ts';
export { createReportHandler, type ReportHandler } from './src/report/handler.ts';
