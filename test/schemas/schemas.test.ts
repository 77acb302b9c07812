import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as schemas from '#shared/schemas.ts';

const { activeStatFor, DIRECT_LEADER_MAX } = schemas;
// Each schema is built on first use (shared/src/once.ts); these are the ones the operations use.
const departmentListing = schemas.departmentListing();
const invite = schemas.invite();
const joinQrcode = schemas.joinQrcode();
const openidRef = schemas.openidRef();
const userBatchDelete = schemas.userBatchDelete();
const userCreate = schemas.userCreate();
const userRef = schemas.userRef();
const userUpdate = schemas.userUpdate();

const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
/** The fields a refusal names (once each, however many of their rules broke). */
const refusedAt = (schema: z.ZodType, value: unknown) => [
  ...new Set(schema.safeParse(value).error?.issues.map((issue) => issue.path.join('.'))),
];

const member = { userid: 'zhangsan', name: '张三', mobile: '13800000001' };
const repeat = (text: string, times: number) => text.repeat(times);

describe('userid', () => {
  it.each(['a', 'Z9', 'zhang.san@corp-1_x', repeat('a', 64), '9lives'])('accepts %s', (userid) => {
    expect(accepts(userRef, { userid })).toBe(true);
  });
  it.each([
    ['empty', ''],
    ['65 characters', repeat('a', 65)],
    ['a leading dot', '.zhang'],
    ['a leading underscore', '_zhang'],
    ['a space', 'zhang san'],
    ['non-ASCII', '张三'],
    ['a slash', 'a/b'],
  ])('refuses %s', (_, userid) => {
    expect(refusedAt(userRef, { userid })).toEqual(['userid']);
  });
});

describe('user/create', () => {
  it('accepts a member with userid, name and a mobile', () => {
    expect(accepts(userCreate, member)).toBe(true);
  });

  it('passes fields it does not model through to WeCom, with their names', () => {
    const parsed = userCreate.parse({ ...member, biz_mail_alias: { item: [] }, future_field: 1 });
    expect(parsed).toMatchObject({ future_field: 1, biz_mail_alias: { item: [] } });
  });

  it('requires a mobile or an email (WeCom 60129)', () => {
    expect(accepts(userCreate, { userid: 'a', name: 'A' })).toBe(false);
    expect(accepts(userCreate, { userid: 'a', name: 'A', mobile: '' })).toBe(false);
    expect(accepts(userCreate, { userid: 'a', name: 'A', email: 'a@example.com' })).toBe(true);
  });

  it('counts name length in characters, not UTF-16 units', () => {
    expect(accepts(userCreate, { ...member, name: repeat('😀', 64) })).toBe(true);
    expect(refusedAt(userCreate, { ...member, name: repeat('名', 65) })).toEqual(['name']);
    expect(refusedAt(userCreate, { ...member, name: '' })).toEqual(['name']);
  });

  // The 60103 alphabet (docs/wecom.md §17): which numbers need a country code is WeCom's call.
  it.each([
    '+86 13800000000',
    '13800000000',
    '+852-12345678',
    '8613800000000',
    '+86-13800000000',
    '12345',
    '852-61234567',
  ])('accepts the mobile %s', (mobile) => {
    expect(accepts(userCreate, { ...member, mobile })).toBe(true);
  });

  it.each(['138 0000 abcd', '+', '--', `1${repeat('3', 32)}`, '138.0000.0000'])(
    'refuses the mobile %s',
    (mobile) => {
      expect(refusedAt(userCreate, { ...member, mobile })).toContain('mobile');
    },
  );

  it('checks email format and its 6–64 byte length', () => {
    expect(accepts(userCreate, { ...member, email: 'a@b.cn' })).toBe(true);
    expect(refusedAt(userCreate, { ...member, email: 'a@b.c' })).toEqual(['email']);
    expect(refusedAt(userCreate, { ...member, email: 'not-an-email' })).toEqual(['email']);
    expect(refusedAt(userCreate, { ...member, email: `${repeat('a', 60)}@b.cn` })).toEqual(['email']);
  });

  it('limits position and address to 128 characters, external_position to 12', () => {
    expect(accepts(userCreate, { ...member, position: repeat('职', 128), address: repeat('址', 128) })).toBe(
      true,
    );
    expect(refusedAt(userCreate, { ...member, position: repeat('职', 129) })).toEqual(['position']);
    expect(refusedAt(userCreate, { ...member, address: repeat('址', 129) })).toEqual(['address']);
    expect(refusedAt(userCreate, { ...member, external_position: repeat('外', 13) })).toEqual([
      'external_position',
    ]);
  });

  it('allows digits, +, - and , in a telephone of at most 32 characters', () => {
    expect(accepts(userCreate, { ...member, telephone: '+86-10-12345678,123' })).toBe(true);
    expect(refusedAt(userCreate, { ...member, telephone: '010 1234' })).toEqual(['telephone']);
    expect(refusedAt(userCreate, { ...member, telephone: repeat('1', 33) })).toEqual(['telephone']);
  });

  it('takes gender 0, 1 or 2 as a string or a number (wechatpy sends the number 0)', () => {
    for (const gender of ['0', '1', '2', 0, 1, 2])
      expect(accepts(userCreate, { ...member, gender })).toBe(true);
    expect(refusedAt(userCreate, { ...member, gender: 3 })).toEqual(['gender']);
    expect(refusedAt(userCreate, { ...member, gender: 'male' })).toEqual(['gender']);
  });

  it('limits department to 100 entries', () => {
    const ids = (count: number) => Array.from({ length: count }, (_, index) => index + 1);
    expect(accepts(userCreate, { ...member, department: ids(100) })).toBe(true);
    expect(refusedAt(userCreate, { ...member, department: ids(101) })).toEqual(['department']);
  });

  it('wants one order and one is_leader_in_dept entry per department', () => {
    const placed = { ...member, department: [1, 2] };
    expect(accepts(userCreate, { ...placed, order: [0, 5], is_leader_in_dept: [1, 0] })).toBe(true);
    expect(refusedAt(userCreate, { ...placed, order: [0] })).toEqual(['order']);
    expect(refusedAt(userCreate, { ...placed, is_leader_in_dept: [1, 0, 1] })).toEqual(['is_leader_in_dept']);
    expect(refusedAt(userCreate, { ...member, order: [0] })).toEqual(['order']);
    expect(refusedAt(userCreate, { ...placed, is_leader_in_dept: [2, 0] })).toEqual(['is_leader_in_dept.0']);
  });

  it(`allows at most ${DIRECT_LEADER_MAX} direct leaders, each a valid userid`, () => {
    const leaders = (count: number) => Array.from({ length: count }, (_, index) => `leader${index}`);
    expect(accepts(userCreate, { ...member, direct_leader: leaders(DIRECT_LEADER_MAX) })).toBe(true);
    expect(refusedAt(userCreate, { ...member, direct_leader: leaders(DIRECT_LEADER_MAX + 1) })).toEqual([
      'direct_leader',
    ]);
    expect(refusedAt(userCreate, { ...member, direct_leader: ['no spaces'] })).toEqual(['direct_leader.0']);
  });

  it('takes any address of the form local@dotted.domain, leaving its characters to WeCom', () => {
    for (const email of ["o'brien@example.com", 'li.si+hr@example.com.cn', '张三@例子.中国'])
      expect(accepts(userCreate, { ...member, email })).toBe(true);
    for (const email of ['a b@example.com', 'a@@example.com', 'a@example', 'a@.example.com'])
      expect(refusedAt(userCreate, { ...member, email })).toEqual(['email']);
  });

  it.each([
    ['a control character', 'a\u0001b'],
    ['a lone high surrogate', 'a\ud83d'],
    ['a lone low surrogate', '\ude00b'],
  ])('refuses %s in any text, passed-through fields and names included (WeCom 40033)', (_, text) => {
    expect(refusedAt(userCreate, { ...member, name: text })).toEqual(['name']);
    expect(refusedAt(userCreate, { ...member, position: text })).toEqual(['position']);
    expect(refusedAt(userCreate, { ...member, future_field: { list: ['ok', text] } })).toEqual([
      'future_field.list.1',
    ]);
    expect(refusedAt(userCreate, { ...member, extattr: { attrs: [{ name: text }] } })).toEqual([
      'extattr.attrs.0.name',
    ]);
    expect(refusedAt(userUpdate, { userid: 'a', [`field${text}`]: 1 })).toEqual([`field${text}`]);
  });

  it('takes tabs, line breaks and paired surrogates (JSON writes them as WeCom reads them)', () => {
    expect(accepts(userCreate, { ...member, address: 'line 1\nline 2\ttab 😀' })).toBe(true);
  });

  it('limits nickname to 64 characters and avatar_mediaid to 256 bytes', () => {
    expect(refusedAt(userCreate, { ...member, nickname: repeat('昵', 65) })).toEqual(['nickname']);
    expect(refusedAt(userCreate, { ...member, avatar_mediaid: repeat('m', 257) })).toEqual([
      'avatar_mediaid',
    ]);
    expect(
      accepts(userCreate, { ...member, nickname: repeat('昵', 64), avatar_mediaid: repeat('m', 256) }),
    ).toBe(true);
  });

  it('refuses a department listed twice, and a main_department outside the departments sent', () => {
    expect(refusedAt(userCreate, { ...member, department: [2, 2] })).toEqual(['department']);
    expect(refusedAt(userCreate, { ...member, department: [2, 3], main_department: 4 })).toEqual([
      'main_department',
    ]);
    expect(accepts(userCreate, { ...member, department: [2, 3], main_department: 3 })).toBe(true);
    // Without department, the member's current departments decide: WeCom checks.
    expect(accepts(userUpdate, { userid: 'a', main_department: 4 })).toBe(true);
  });

  it('takes JSON null for an optional field as absent (go-workwx sends null lists)', () => {
    const nulls = { alias: null, department: null, order: null, is_leader_in_dept: null, gender: null };
    expect(accepts(userCreate, { ...member, ...nulls })).toBe(true);
    expect(refusedAt(userCreate, { ...member, name: null })).toEqual(['name']);
  });

  it('takes main_department as a number or a digit string (WxJava sends a string)', () => {
    expect(accepts(userCreate, { ...member, department: [2, 3], main_department: '3' })).toBe(true);
    expect(refusedAt(userCreate, { ...member, department: [2, 3], main_department: '4' })).toEqual([
      'main_department',
    ]);
    expect(refusedAt(userCreate, { ...member, main_department: 'x' })).toEqual(['main_department']);
  });
});

describe('user/update', () => {
  it('needs only the userid and keeps unknown fields', () => {
    expect(userUpdate.parse({ userid: 'zhangsan', future_field: 'x' })).toEqual({
      userid: 'zhangsan',
      future_field: 'x',
    });
  });

  it('checks the fields it is sent, with the update limits (biz_mail ≤ 63 bytes, ≤ 5 aliases)', () => {
    expect(refusedAt(userUpdate, { userid: 'a', name: '' })).toEqual(['name']);
    expect(refusedAt(userUpdate, { userid: 'a', new_userid: '-x' })).toEqual(['new_userid']);
    expect(refusedAt(userUpdate, { userid: 'a', biz_mail: `${repeat('a', 59)}@b.cn` })).toEqual(['biz_mail']);
    const aliases = Array.from({ length: 6 }, (_, index) => `alias${index}@example.com`);
    expect(refusedAt(userUpdate, { userid: 'a', biz_mail_alias: { item: aliases } })).toEqual([
      'biz_mail_alias.item',
    ]);
  });

  it('clears with "" and {}: mobile, email, telephone, alias and biz_mail_alias', () => {
    const cleared = { mobile: '', email: '', telephone: '', alias: '', biz_mail_alias: {} };
    expect(accepts(userUpdate, { userid: 'a', ...cleared })).toBe(true);
  });

  it('lets order and is_leader_in_dept through without department (WeCom ignores them), counts them with it', () => {
    expect(accepts(userUpdate, { userid: 'a', order: [1], is_leader_in_dept: [1] })).toBe(true);
    expect(accepts(userUpdate, { userid: 'a', department: [2], order: [1] })).toBe(true);
    expect(refusedAt(userUpdate, { userid: 'a', department: [2], order: [1, 2] })).toEqual(['order']);
  });
});

describe('fixed-shape inputs', () => {
  it('refuse fields they do not know (a typo must not be ignored silently)', () => {
    expect(accepts(userRef, { userid: 'a', extra: 1 })).toBe(false);
    expect(accepts(departmentListing, { department_id: 1, fetch_chlid: 1 })).toBe(false);
  });

  it('take openids of letters, digits, _ and -', () => {
    expect(accepts(openidRef, { openid: 'oDjGHs-1yCnGrRovBj2yHij5JAAA' })).toBe(true);
    expect(accepts(openidRef, { openid: 'a b' })).toBe(false);
    expect(accepts(openidRef, { openid: '' })).toBe(false);
  });
});

describe('user/batchdelete', () => {
  const userids = (count: number) => Array.from({ length: count }, (_, index) => `user${index}`);
  it('takes 1 to 200 userids', () => {
    expect(accepts(userBatchDelete, { useridlist: userids(200) })).toBe(true);
    expect(refusedAt(userBatchDelete, { useridlist: userids(201) })).toEqual(['useridlist']);
    expect(refusedAt(userBatchDelete, { useridlist: [] })).toEqual(['useridlist']);
    expect(refusedAt(userBatchDelete, { useridlist: ['ok', '-bad'] })).toEqual(['useridlist.1']);
  });
});

describe('batch/invite', () => {
  const list = (count: number) => Array.from({ length: count }, (_, index) => index + 1);
  it('takes up to 1000 users, 100 departments and 100 tags', () => {
    const users = list(1000).map((index) => `user${index}`);
    expect(accepts(invite, { user: users, party: list(100), tag: list(100) })).toBe(true);
    expect(refusedAt(invite, { user: [...users, 'one-more'] })).toEqual(['user']);
    expect(refusedAt(invite, { party: list(101) })).toEqual(['party']);
    expect(refusedAt(invite, { tag: list(101) })).toEqual(['tag']);
  });

  it('takes party and tag ids as numbers or digit strings (WxJava sends strings)', () => {
    expect(accepts(invite, { party: ['2', 3], tag: ['7'] })).toBe(true);
    expect(refusedAt(invite, { party: ['2a'] })).toEqual(['party.0']);
    expect(refusedAt(invite, { tag: ['0'] })).toEqual(['tag.0']);
  });

  it('needs at least one non-empty list', () => {
    expect(accepts(invite, {})).toBe(false);
    expect(accepts(invite, { user: [], party: [], tag: [] })).toBe(false);
    expect(accepts(invite, { tag: [7] })).toBe(true);
  });
});

describe('numbers from the URL', () => {
  it('accept decimal strings where numbers are expected', () => {
    expect(departmentListing.parse({ department_id: '12', fetch_child: '1' })).toEqual({
      department_id: 12,
      fetch_child: 1,
    });
    expect(joinQrcode.parse({ size_type: '4' })).toEqual({ size_type: 4 });
  });

  it.each(['', ' 1', '1e3', '0x10', '-1', '1.0', 'abc'])(
    'refuse %j as a department id (no coercion)',
    (raw) => {
      expect(refusedAt(departmentListing, { department_id: raw })).toEqual(['department_id']);
    },
  );

  it('keep fetch_child to 0 or 1 and size_type to 1–4', () => {
    expect(refusedAt(departmentListing, { department_id: 1, fetch_child: '2' })).toEqual(['fetch_child']);
    expect(refusedAt(joinQrcode, { size_type: '0' })).toEqual(['size_type']);
    expect(refusedAt(joinQrcode, { size_type: 5 })).toEqual(['size_type']);
    expect(joinQrcode.parse({})).toEqual({});
  });

  it('refuse department 0 and ids beyond 32 bits', () => {
    expect(accepts(departmentListing, { department_id: 0 })).toBe(false);
    expect(accepts(departmentListing, { department_id: 2 ** 32 })).toBe(false);
  });
});

describe('active stats date', () => {
  // 2026-03-10 16:30 UTC is already 2026-03-11 in Beijing.
  const activeStat = activeStatFor(() => Date.UTC(2026, 2, 10, 16, 30));

  it('takes today and the 30 days before it, as Beijing dates', () => {
    expect(accepts(activeStat, { date: '2026-03-11' })).toBe(true);
    expect(accepts(activeStat, { date: '2026-02-09' })).toBe(true);
    expect(accepts(activeStat, { date: '2026-02-08' })).toBe(false);
    expect(accepts(activeStat, { date: '2026-03-12' })).toBe(false);
  });

  it('wants YYYY-MM-DD and a real calendar date', () => {
    expect(refusedAt(activeStat, { date: '2026-3-1' })).toEqual(['date']);
    expect(refusedAt(activeStat, { date: '2026-02-30' })).toEqual(['date']);
    expect(refusedAt(activeStat, { date: '20260301' })).toEqual(['date']);
  });

  it('names the rule without echoing the value', () => {
    const message = activeStat.safeParse({ date: '2025-01-01' }).error?.issues[0]?.message;
    expect(message).toBe('must be within the last 30 days (Beijing date)');
  });
});
