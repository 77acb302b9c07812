/**
 * The scheduled report function, which has no route (docs/architecture.md §7), as plain data for the
 * build, the stack and the handler: importing it loads nothing else.
 */
import type { OperationDefinition } from '../define-operation.ts';

export const REPORT_FUNCTION = {
  id: 'active-stat-report',
  summary: 'Daily active-member report: EMF metric, log line, optional group-robot message',
  wecomApi: 'user/get_active_stat',
  credential: 'contact',
  idempotent: true,
} as const satisfies Pick<OperationDefinition, 'id' | 'summary' | 'wecomApi' | 'credential' | 'idempotent'>;
