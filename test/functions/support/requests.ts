/**
 * One valid request per route, against the sandbox's demo directory: sent in table order to one
 * directory, every one of them succeeds (test/functions/every-row.test.ts).
 */
import { SANDBOX_DEFAULTS } from '#sandbox/index.ts';
import { openidOf } from '#sandbox/routes/identity.ts';
import type { OperationId } from '#shared/operations.ts';
import { beijingYesterday } from './dates.ts';
import type { RouteEventOptions } from './events.ts';

export const VALID_REQUESTS: Record<OperationId, RouteEventOptions> = {
  'user-create': { body: { userid: 'newcomer', name: '新人', mobile: '13800000999' } },
  'user-get': { pathParameters: { userid: 'lisi' } },
  'user-update': { pathParameters: { userid: 'lisi' }, body: { position: 'CTO' } },
  'user-delete': { pathParameters: { userid: 'sunqi' } },
  'user-batch-delete': { body: { useridlist: ['wangwu'] } },
  'user-simple-list': { pathParameters: { department_id: '2' }, query: { fetch_child: '1' } },
  'user-list': { pathParameters: { department_id: '2' }, query: { fetch_child: '0' } },
  'user-convert-to-openid': { pathParameters: { userid: 'zhangsan' } },
  'user-convert-to-userid': { pathParameters: { openid: openidOf(SANDBOX_DEFAULTS.corpId, 'zhangsan') } },
  'user-auth-succ': { pathParameters: { userid: 'zhouba' } },
  'user-invite': { body: { user: ['ZhaoLiu'] } },
  'user-join-qrcode': { query: { size_type: '3' } },
  'user-active-stat': { query: { date: beijingYesterday() } },
  'user-get-userid': { body: { mobile: '13800000002' } },
  'user-get-userid-by-email': { body: { email: 'lisi@example.com', email_type: 2 } },
  'user-list-id': { query: { limit: '2' } },
};
