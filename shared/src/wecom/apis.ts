/**
 * The WeCom calls this product makes: HTTP method, path under `/cgi-bin/`, and the request/response
 * types. Field names are WeCom's own (see docs/wecom.md), so WeCom's documentation stays
 * valid for them; index signatures let fields we do not model pass through untouched.
 *
 * Plain data and types only: no runtime imports, so the sandbox, the CDK app and the OpenAPI generator
 * can use it without loading undici or the AWS SDK.
 */

/** Every WeCom answer carries these; `errcode` 0 is the only success signal. */
export interface WeComEnvelope {
  errcode: number;
  errmsg: string;
}

type Open = Record<string, unknown>;

export interface ExtAttr {
  attrs: Array<Open>;
}

/**
 * The member object of user/create, user/update, user/get and user/list. `main_department` is a number
 * in answers; a request may also send it as a decimal string, which WeCom takes.
 */
export interface Member<MainDepartment = number> extends Open {
  userid: string;
  name?: string;
  alias?: string;
  mobile?: string;
  department?: number[];
  order?: number[];
  position?: string;
  /** A string in answers ("1"); WeCom also takes the number in a request. */
  gender?: string | number;
  email?: string;
  biz_mail?: string;
  telephone?: string;
  is_leader_in_dept?: number[];
  direct_leader?: string[];
  avatar?: string;
  thumb_avatar?: string;
  avatar_mediaid?: string;
  enable?: number;
  extattr?: ExtAttr;
  status?: number;
  qr_code?: string;
  external_position?: string;
  external_profile?: Open;
  address?: string;
  main_department?: MainDepartment;
  open_userid?: string;
}

export interface CreatedDepartmentList {
  department_info: Array<{ name: string; id: number }>;
}

export interface SimpleMember extends Open {
  userid: string;
  name: string;
  department: number[];
  open_userid?: string;
}

export interface SimpleDepartment extends Open {
  id: number;
  parentid: number;
  order: number;
}

/** Request and response of each call, keyed by the path under `/cgi-bin/`. */
export interface WeComApis {
  gettoken: {
    request: { corpid: string; corpsecret: string };
    response: { access_token: string; expires_in: number };
  };
  'user/create': {
    request: Member<number | string> & { to_invite?: boolean; nickname?: string };
    response: { created_department_list?: CreatedDepartmentList };
  };
  'user/get': { request: { userid: string }; response: Member };
  'user/update': {
    request: Partial<Member<number | string>> & {
      userid: string;
      new_userid?: string;
      biz_mail_alias?: { item?: string[] | null };
    };
    response: Open;
  };
  'user/delete': { request: { userid: string }; response: Open };
  'user/batchdelete': { request: { useridlist: string[] }; response: Open };
  'user/simplelist': {
    request: { department_id: number; fetch_child?: 0 | 1 };
    response: { userlist: SimpleMember[] };
  };
  'user/list': {
    request: { department_id: number; fetch_child?: 0 | 1 };
    response: { userlist: Member[] };
  };
  'user/convert_to_openid': { request: { userid: string }; response: { openid: string } };
  'user/convert_to_userid': { request: { openid: string }; response: { userid: string } };
  'user/authsucc': { request: { userid: string }; response: Open };
  'batch/invite': {
    /** Ids as numbers or decimal strings, both of which WeCom takes. */
    request: { user?: string[]; party?: Array<number | string>; tag?: Array<number | string> };
    response: { invaliduser?: string[]; invalidparty?: number[]; invalidtag?: number[] };
  };
  'corp/get_join_qrcode': { request: { size_type?: 1 | 2 | 3 | 4 }; response: { join_qrcode: string } };
  'user/get_active_stat': { request: { date: string }; response: { active_cnt: number } };
  'department/simplelist': {
    request: { id?: number };
    response: { department_id: SimpleDepartment[] };
  };
  'user/getuserid': { request: { mobile: string }; response: { userid: string } };
  /** `email_type` 1: company mail (the default), 2: personal mail. */
  'user/get_userid_by_email': {
    request: { email: string; email_type?: 1 | 2 };
    response: { userid: string };
  };
  /** One page of every userid, once per department; an empty `next_cursor` ends the walk. */
  'user/list_id': {
    request: { cursor?: string; limit?: number };
    response: { next_cursor: string; dept_user: Array<{ userid: string; department: number }> };
  };
}

export type WeComApi = keyof WeComApis;
export type WeComRequest<A extends WeComApi> = WeComApis[A]['request'];
export type WeComResponse<A extends WeComApi> = WeComEnvelope & WeComApis[A]['response'];

/**
 * How each call travels: GET calls put their parameters in the query string, POST calls send a JSON
 * body. The access_token always goes in the query (WeCom answers 41001 otherwise).
 */
export const WECOM_METHODS = {
  gettoken: 'GET',
  'user/create': 'POST',
  'user/get': 'GET',
  'user/update': 'POST',
  'user/delete': 'GET',
  'user/batchdelete': 'POST',
  'user/simplelist': 'GET',
  'user/list': 'GET',
  'user/convert_to_openid': 'POST',
  'user/convert_to_userid': 'POST',
  'user/authsucc': 'GET',
  'batch/invite': 'POST',
  'corp/get_join_qrcode': 'GET',
  'user/get_active_stat': 'POST',
  'department/simplelist': 'GET',
  'user/getuserid': 'POST',
  'user/get_userid_by_email': 'POST',
  'user/list_id': 'POST',
} as const satisfies Record<WeComApi, 'GET' | 'POST'>;

export const WECOM_APIS = Object.keys(WECOM_METHODS) as WeComApi[];

/** WeCom's production endpoint. Companies with a fixed-IP forward proxy point the client elsewhere. */
export const WECOM_DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';
