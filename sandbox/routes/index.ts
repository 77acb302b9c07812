/** Every business API the sandbox serves, by its path under `/cgi-bin/` (gettoken is the server's own). */
import type { SandboxApi } from '../types.ts';
import { corpRoutes } from './corp.ts';
import { departmentRoutes } from './departments.ts';
import { identityRoutes } from './identity.ts';
import { lookupRoutes } from './lookups.ts';
import type { Route } from './route.ts';
import { tagRoutes } from './tags.ts';
import { userRoutes } from './users.ts';

export const ROUTES: Readonly<Record<Exclude<SandboxApi, 'gettoken'>, Route>> = {
  ...userRoutes,
  ...identityRoutes,
  ...corpRoutes,
  ...departmentRoutes,
  ...lookupRoutes,
  ...tagRoutes,
};

export type { CallContext, CorpState, Route } from './route.ts';
