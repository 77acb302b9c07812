/**
 * The inputs of the userid lookups and of the paged userid list (docs/userid-lookups.md). The
 * conventions of schemas.ts apply. These bounds are deliberately loose: a lookup WeCom refuses costs
 * a miss from the day's budget, but a value WeCom would accept must never be refused here.
 */
import * as z from 'zod';
import { once } from './once.ts';
import { integerParameter, text, utf8Bytes } from './schema-fields.ts';

/** user/list_id's page size (1–10,000). */
export const USERID_PAGE_MAX = 10_000;

/**
 * The number as the directory stores it: WeCom allows digits, `+` and `-` (60103), and its own example
 * of a stored number has a space ("+86 13800000000"), so a space is kept too; a digit at least. 5–32
 * characters, the bounds of user/getuserid's page (ASCII, so characters are bytes).
 */
const mobile = () =>
  z
    .string()
    .regex(/^(?=.*\d)[\d+ -]{5,32}$/, { message: 'must be 5–32 characters of digits, with + - or spaces' })
    .meta({ description: 'The mobile number as stored in the directory', examples: ['13800000001'] });

/**
 * Company or personal mail: 6–64 bytes, one `@` between two non-empty parts without spaces. Looser
 * than user/create's company-mail form, because a personal address is whatever the member entered.
 */
const email = () =>
  text()
    .refine((value) => /^[^\s@]+@[^\s@]+$/.test(value), { message: 'must be an e-mail address' })
    .refine((value) => utf8Bytes(value) >= 6 && utf8Bytes(value) <= 64, { message: 'must be 6–64 bytes' })
    .meta({ minLength: 6, maxLength: 64, examples: ['lisi@example.com'] });

export const useridByMobile = once(() => z.strictObject({ mobile: mobile() }));

export const useridByEmail = once(() =>
  z.strictObject({
    email: email(),
    email_type: z
      .literal([1, 2])
      .optional()
      .meta({ description: '1: company mail (the default), 2: personal mail' }),
  }),
);

export const useridPage = once(() =>
  z.strictObject({
    cursor: text()
      .optional()
      .meta({ description: "The previous page's `next_cursor`; absent or empty for the first page" }),
    limit: integerParameter(z.int().min(1).max(USERID_PAGE_MAX))
      .optional()
      .meta({ description: `Userids per page, 1–${USERID_PAGE_MAX}`, examples: [USERID_PAGE_MAX] }),
  }),
);
