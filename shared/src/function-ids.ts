/** Every Lambda of a stage: one per operation of the table, plus the functions without a table row. */
import { CALLBACK_FUNCTION } from './callback/function.ts';
import { DOCTOR_FUNCTION } from './doctor/function.ts';
import { OPERATIONS } from './operations.ts';
import { REPORT_FUNCTION } from './report/function.ts';

/** The operations, the scheduled report, the contact callback and the operator's doctor. */
export const FUNCTION_IDS = [
  ...OPERATIONS.map((operation) => operation.id),
  REPORT_FUNCTION.id,
  CALLBACK_FUNCTION.id,
  DOCTOR_FUNCTION.id,
] as const;
export type FunctionId = (typeof FUNCTION_IDS)[number];
