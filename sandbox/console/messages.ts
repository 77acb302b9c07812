/**
 * The change_contact XML WeCom posts after an admin change (docs/events.md, "Protocol"). `minimal` is
 * what callback URLs configured after 2022-08-15 receive: members carry only UserID/Department (and
 * NewUserID), departments only Id/ParentId, and an update that changed none of those is not called
 * back at all. `full` carries every field the change touched. CDATA for text, bare numbers, as in
 * WeCom's own samples.
 */
import type { Member } from '../../shared/src/wecom/apis.ts';

export type FieldSet = 'minimal' | 'full';

export type ContactChange =
  | { readonly kind: 'create_user'; readonly member: Member }
  | {
      readonly kind: 'update_user';
      readonly userid: string;
      readonly changes: Partial<Member> & { new_userid?: string };
    }
  | { readonly kind: 'delete_user'; readonly userid: string }
  | {
      readonly kind: 'create_party';
      readonly id: number;
      readonly name: string;
      readonly parentid: number;
      readonly order?: number;
    }
  | {
      readonly kind: 'update_party';
      readonly id: number;
      readonly name?: string;
      readonly parentid?: number;
      readonly order?: number;
    }
  | { readonly kind: 'delete_party'; readonly id: number }
  /** WeCom calls back no tag creation: the console makes tags so that `update_tag` has one to change. */
  | { readonly kind: 'create_tag'; readonly tagname: string; readonly tagid?: number }
  | {
      readonly kind: 'update_tag';
      readonly tagid: number;
      readonly addUsers?: readonly string[];
      readonly delUsers?: readonly string[];
      readonly addParties?: readonly number[];
      readonly delParties?: readonly number[];
    };

/** Every kind of change the console makes. */
export const CHANGE_KINDS = [
  'create_user',
  'update_user',
  'delete_user',
  'create_party',
  'update_party',
  'delete_party',
  'create_tag',
  'update_tag',
] as const satisfies readonly ContactChange['kind'][];

type Fields = ReadonlyArray<readonly [string, string | number | undefined]>;

const text = (value: string) => `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
const element = ([name, value]: readonly [string, string | number | undefined]) =>
  value === undefined ? '' : `<${name}>${typeof value === 'number' ? value : text(value)}</${name}>`;
const list = (values: readonly (string | number)[] | undefined) => values?.join(',');

/** Member fields WeCom names in callbacks, from the API's member object. */
function memberFields(member: Partial<Member>): Fields {
  return [
    ['Name', member.name],
    ['Department', list(member.department)],
    ['MainDepartment', member.main_department],
    ['IsLeaderInDept', list(member.is_leader_in_dept)],
    ['DirectLeader', list(member.direct_leader)],
    ['Position', member.position],
    ['Mobile', member.mobile],
    ['Gender', member.gender === undefined ? undefined : Number(member.gender)],
    ['Email', member.email],
    ['BizMail', member.biz_mail],
    ['Status', member.status],
    ['Avatar', member.avatar],
    ['Alias', member.alias],
    ['Telephone', member.telephone],
    ['Address', member.address],
  ];
}

/** A member update: with minimal fields WeCom calls back only for a move (department or userid). */
function updateUserFields(
  change: Extract<ContactChange, { kind: 'update_user' }>,
  full: boolean,
): Fields | undefined {
  const { changes } = change;
  const moved = changes.department !== undefined || changes.new_userid !== undefined;
  if (!full && !moved) return undefined;
  return [
    ['UserID', change.userid],
    ['NewUserID', changes.new_userid],
    ...(full ? memberFields(changes) : [['Department', list(changes.department)] as const]),
  ];
}

/** A tag's members changed; a change that moved no member is not a change. */
function updateTagFields(change: Extract<ContactChange, { kind: 'update_tag' }>): Fields | undefined {
  const moved = [change.addUsers, change.delUsers, change.addParties, change.delParties];
  if (!moved.some((items) => items?.length)) return undefined;
  return [
    ['TagId', change.tagid],
    ['AddUserItems', list(change.addUsers)],
    ['DelUserItems', list(change.delUsers)],
    ['AddPartyItems', list(change.addParties)],
    ['DelPartyItems', list(change.delParties)],
  ];
}

/** The message body of a change, or `undefined` when WeCom would not call back. */
function changeFields(change: ContactChange, fields: FieldSet): Fields | undefined {
  const full = fields === 'full';
  switch (change.kind) {
    case 'create_user': {
      const { member } = change;
      return [
        ['UserID', member.userid],
        ...(full ? memberFields(member) : [['Department', list(member.department)] as const]),
      ];
    }
    case 'update_user':
      return updateUserFields(change, full);
    case 'delete_user':
      return [['UserID', change.userid]];
    case 'create_party':
      return [
        ['Id', change.id],
        ...(full ? ([['Name', change.name]] as const) : []),
        ['ParentId', change.parentid],
        ...(full ? ([['Order', change.order]] as const) : []),
      ];
    case 'update_party':
      if (!full && change.parentid === undefined) return undefined;
      return [
        ['Id', change.id],
        ...(full ? ([['Name', change.name]] as const) : []),
        ['ParentId', change.parentid],
      ];
    case 'delete_party':
      return [['Id', change.id]];
    case 'create_tag':
      return undefined;
    case 'update_tag':
      return updateTagFields(change);
  }
}

/** The plaintext XML WeCom encrypts for this change, or `undefined` when it sends nothing. */
export function changeMessage(
  change: ContactChange,
  { corpId, createTime, fields = 'minimal' }: { corpId: string; createTime: number; fields?: FieldSet },
): string | undefined {
  const body = changeFields(change, fields);
  if (body === undefined) return undefined;
  const header: Fields = [
    ['ToUserName', corpId],
    ['FromUserName', 'sys'],
    ['CreateTime', createTime],
    ['MsgType', 'event'],
    ['Event', 'change_contact'],
  ];
  return `<xml>${header.map(element).join('')}<ChangeType>${change.kind}</ChangeType>${body.map(element).join('')}</xml>`;
}
