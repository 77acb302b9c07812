/**
 * The building blocks of the input schemas (schemas.ts, lookup-schemas.ts): text WeCom can read,
 * bounded strings, emails, ids, phone numbers, and the decimal strings of path and query values.
 * The conventions at the top of schemas.ts apply; each block holds one of WeCom's rules
 * (docs/validation.md), so that the operations' schemas are written with them alone.
 */

import * as z from 'zod';
import { once } from './once.ts';
import { isEncodable, unencodablePath } from './wecom/encoding.ts';

const UINT32_MAX = 2 ** 32 - 1;

const codePoints = (value: string) => [...value].length;
export const utf8Bytes = (value: string) => Buffer.byteLength(value, 'utf8');

export const UNENCODABLE = 'contains a control character or a lone surrogate, which WeCom refuses';

/** A value passed to WeCom as it is (unknown fields, free-form objects): only its strings are checked. */
const passedThrough = once(() =>
  z.unknown().superRefine((value, context) => {
    const path = unencodablePath(value);
    if (path !== undefined) context.addIssue({ code: 'custom', path, message: UNENCODABLE });
  }),
);

/** An object with the given fields that passes any other field through (checked as above). */
export const openObject = <T extends z.ZodRawShape>(shape: T) => z.object(shape).catchall(passedThrough());

/** Any string WeCom can read; the base of every free-text field. */
export const text = () => z.string().refine(isEncodable, { message: UNENCODABLE, abort: true });

/** A string of `min`–`max` characters (code points). */
export const chars = (min: number, max: number) =>
  text()
    .refine((value) => codePoints(value) >= min && codePoints(value) <= max, {
      message: min === 0 ? `must be at most ${max} characters` : `must be ${min}–${max} characters`,
    })
    .meta({ minLength: min, maxLength: max });

/**
 * WeCom's rule for an address (60105: "at most 64 bytes and a valid email"; 6 bytes at least): one `@`
 * between a local part and a dotted domain, no spaces. Not a strict ASCII pattern: which characters
 * WeCom takes beyond that is unknown, so WeCom decides (docs/validation.md).
 */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/u;

/** An email address of 6–`max` bytes. */
export const email = (max: number) =>
  text()
    .regex(EMAIL, { message: 'must be a valid email address' })
    .refine((value) => utf8Bytes(value) >= 6 && utf8Bytes(value) <= max, {
      message: `must be 6–${max} bytes`,
    })
    .meta({ minLength: 6, maxLength: max, format: 'email' });

/** `""` clears the field on update (and counts as absent on create). */
export const orEmpty = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]);

/** Accept a decimal string where a number is expected (path and query values); leave anything else to fail. */
const fromDecimalString = (value: unknown) =>
  typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
export const integerParameter = <T extends z.ZodType>(schema: T) => z.preprocess(fromDecimalString, schema);

export const uint32 = once(() => z.int().min(0).max(UINT32_MAX));
export const departmentId = once(() => z.int().min(1).max(UINT32_MAX));
/**
 * An id WeCom reads as a number, sent as a JSON number or a string of its digits (WxJava sends
 * `main_department`, invite `party` and `tag` as strings). Passed to WeCom as sent.
 */
export const idOrDigits = once(() =>
  z.union([
    departmentId(),
    z
      .string()
      .regex(/^[1-9]\d{0,9}$/, { message: 'must be a positive integer' })
      .refine((value) => Number(value) <= UINT32_MAX, { message: 'must be a positive integer' }),
  ]),
);

/** 1–64 bytes of letters, digits, `_ - @ .`, starting with a letter or digit (ASCII, so bytes = characters). */
export const userid = once(() =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_@.-]{0,63}$/, {
      message: 'must be 1–64 characters among letters, digits, _ - @ . and start with a letter or a digit',
    })
    .meta({ description: 'WeCom userid (case-insensitive in WeCom)', examples: ['zhangsan'] }),
);

/** WeChat openids are base64url-like tokens (28 characters today); we bound them without guessing more. */
export const openid = once(() =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, { message: 'must be 1–128 characters among letters, digits, _ and -' })
    .meta({ examples: ['oDjGHs-1yCnGrRovBj2yHij5JAAA'] }),
);

/**
 * WeCom's 60103 rule: at most 32 characters among digits, `+` and `-` (the documented example
 * "+86 13800000000" has a space, so spaces pass too). Whether a number needs its country code is for
 * WeCom to say: `8613800000000` and `+86-13800000000` both pass here (docs/validation.md).
 */
const MOBILE = /^[\d+ -]*\d[\d+ -]*$/;
export const mobile = once(() =>
  z
    .string()
    .max(32, { message: 'must be at most 32 characters' })
    .regex(MOBILE, { message: 'must be digits, with + - or spaces between them' })
    .meta({ examples: ['+86 13800000000'] }),
);

/** Digits, `-`, `+` and `,` (extensions), ≤ 32 bytes; `""` clears it (go-workwx sends it on every update). */
export const telephone = once(() =>
  z
    .string()
    .max(32, { message: 'must be at most 32 characters' })
    .regex(/^[\d+,-]*$/, { message: 'must contain only digits, +, - and ,' }),
);

export const flag = once(() => z.literal([0, 1]));
