/**
 * WeCom's answer envelope (docs/wecom.md §0): `errcode` + `errmsg` on every answer, the success words,
 * and the error errmsg format `<text>, hint: [<digits>], from ip: <ip>, more info at …?e=<code>`.
 */

/** The English texts WeCom puts before `, hint: […]` (§17; observed wording where known). */
const ERROR_TEXT: Readonly<Record<number, string>> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40003: 'invalid userid',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40031: 'invalid userid list',
  40032: 'invalid userid list size, batch delete max 200',
  40033: 'invalid charset. please check your request, if include \\uxxxx will create fail!',
  40035: 'invalid args size',
  40058: 'invalid Request Parameter',
  40063: 'some parameters are empty',
  40068: 'invalid tagid',
  40070: 'all list invalid ',
  40071: 'invalid tagname',
  40072: 'invalid tagname size',
  40073: 'invalid openid',
  40126: 'tag count exceeds the limit',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41009: 'missing userid',
  41017: 'missing tagid',
  41018: 'missing tagname',
  41019: 'missing department',
  42001: 'access_token expired',
  43004: 'require subscribe',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  48002: 'api forbidden',
  60005: 'department contains user',
  60006: 'department contains sub-department',
  60007: 'not allow to delete root department',
  60008: 'department existed',
  60010: 'department loop',
  60011: 'no privilege to access/modify contact/party/agent ',
  60020: 'not allow to access from your ip',
  60102: 'userid existed',
  60103: 'mobile invalid',
  60104: 'mobile existed',
  60105: 'email invalid',
  60106: 'email existed',
  60110: 'user in too many departments',
  60111: 'userid not found',
  60112: 'invalid username',
  60123: 'invalid party id',
  60124: 'invalid parent party id',
  60125: 'invalid party name',
  60129: 'mobile and email can not be both empty',
  60132: 'is_leader_in_dept size not match department size',
  60143: 'biz_mail invalid',
  60145: 'biz_mail existed',
  301005: 'not allow to delete creator',
  301012: 'invalid position',
  301013: 'invalid telephone',
  301015: 'invalid avatar mediaid',
  301036: 'not allow to modify userid',
};

/** Success words per call (§0): create → created, update → updated, deletes → deleted, else ok. */
export type SuccessWord = 'created' | 'updated' | 'deleted' | 'ok';

/** A WeCom business error; thrown anywhere in a call, turned into the envelope by the server. */
export class WeComFailure extends Error {
  override readonly name = 'WeComFailure';
  constructor(
    readonly errcode: number,
    readonly text: string = ERROR_TEXT[errcode] ?? 'unknown error',
  ) {
    super(text);
  }
}

/** Throws the WeCom error `errcode`, optionally with a more specific text. */
export function fail(errcode: number, text?: string): never {
  throw new WeComFailure(errcode, text);
}

/** 40058 with WeCom's habit of prefixing the detail (§17). */
export function invalidParameter(detail: string): never {
  throw new WeComFailure(40058, `${detail}. invalid Request Parameter`);
}

export const MORE_INFO_URL = 'https://open.work.weixin.qq.com/devtool/query?e=';

/** The full errmsg of an error, e.g. `userid not found, hint: [17…], from ip: 127.0.0.1, more info at …`. */
export function formatErrmsg(errcode: number, text: string, hint: string, ip: string): string {
  return `${text}, hint: [${hint}], from ip: ${ip}, more info at ${MORE_INFO_URL}${errcode}`;
}

/** Request ids in the modern shape: a long run of digits (ms timestamp + a per-sandbox sequence). */
export function hintGenerator(clock: () => number): () => string {
  let sequence = 0;
  return () => {
    sequence = (sequence + 1) % 1e12;
    return `${Math.trunc(clock())}${String(sequence).padStart(12, '0')}`;
  };
}
