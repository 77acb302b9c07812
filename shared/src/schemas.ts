/**
 * PLACEHOLDER (to be replaced by the schemas that encode wecom-api.md's rules): the input schema of
 * each operation, named as operations.ts imports them.
 */
import { z } from 'zod';

const userid = z.string().min(1).max(64);
export const userRef = z.object({ userid });
export const openidRef = z.object({ openid: z.string().min(1) });
export const userCreate = z.looseObject({ userid, name: z.string() });
export const userUpdate = z.looseObject({ userid });
export const userBatchDelete = z.object({ useridlist: z.array(userid).min(1).max(200) });
export const departmentListing = z.object({
  department_id: z.coerce.number().int(),
  fetch_child: z.coerce.number().int().optional(),
});
export const invite = z.object({
  user: z.array(userid).optional(),
  party: z.array(z.number()).optional(),
  tag: z.array(z.number()).optional(),
});
export const joinQrcode = z.object({ size_type: z.coerce.number().int().optional() });
export const activeStat = z.object({ date: z.string() });
