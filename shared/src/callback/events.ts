/**
 * From a decrypted WeCom callback to an EventBridge event (docs/events.md, "Event catalogue"):
 * `source` wecom.contact, one detail-type per change, and a `detail` that keeps WeCom's field names with
 * CSV fields as arrays, numeric fields as numbers, plus `corpId`, `changeType` and `createTime` (ISO).
 * Fields this module does not know are passed on as WeCom sent them, so a field WeCom adds later is not
 * lost.
 */
import { CALLBACK_FUNCTION } from './function.ts';
import { textOf, type XmlObject, type XmlValue } from './xml.ts';

export const EVENT_SOURCE = CALLBACK_FUNCTION.eventSource;

/** The detail-type of each change (ChangeType of change_contact, or the Event itself). */
export const DETAIL_TYPES = {
  create_user: 'Member created',
  update_user: 'Member updated',
  delete_user: 'Member deleted',
  create_party: 'Department created',
  update_party: 'Department updated',
  delete_party: 'Department deleted',
  update_tag: 'Tag members changed',
  batch_job_result: 'Batch job finished',
} as const;

export type ChangeType = keyof typeof DETAIL_TYPES;
export type DetailType = (typeof DETAIL_TYPES)[ChangeType];

export type DetailValue = string | number | DetailValue[] | { [name: string]: DetailValue };
export interface EventDetail {
  readonly corpId: string;
  readonly changeType: ChangeType;
  /** CreateTime as an ISO-8601 instant (UTC). */
  readonly createTime?: string;
  readonly [field: string]: DetailValue | undefined;
}

export interface DirectoryEvent {
  readonly source: typeof EVENT_SOURCE;
  readonly detailType: DetailType;
  /** The event's time: CreateTime when WeCom sent one. */
  readonly time?: Date;
  readonly detail: EventDetail;
}

/** Header fields that become corpId/changeType/createTime or say nothing (FromUserName is `sys`). */
const HEADER = new Set(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Event', 'ChangeType']);
const INTEGER_LISTS = new Set(['Department', 'IsLeaderInDept', 'AddPartyItems', 'DelPartyItems']);
const STRING_LISTS = new Set(['DirectLeader', 'AddUserItems', 'DelUserItems']);
const INTEGERS = new Set([
  'MainDepartment',
  'Gender',
  'Status',
  'Id',
  'ParentId',
  'Order',
  'TagId',
  'Type',
  'ErrCode',
  'AgentID',
]);
const INTEGER = /^-?\d{1,15}$/;

/**
 * The event a callback stands for, or `undefined` for a message that is not a directory change (a
 * chat message, another app event, a change type this version does not know): acknowledged, not
 * published.
 */
export function toDirectoryEvent(message: XmlObject): DirectoryEvent | undefined {
  const event = textOf(message, 'Event');
  const changeType = event === 'change_contact' ? textOf(message, 'ChangeType') : event;
  if (
    textOf(message, 'MsgType') !== 'event' ||
    changeType === undefined ||
    !Object.hasOwn(DETAIL_TYPES, changeType)
  ) {
    return undefined;
  }
  const type = changeType as ChangeType;
  const seconds = textOf(message, 'CreateTime');
  const time = seconds !== undefined && INTEGER.test(seconds) ? new Date(Number(seconds) * 1000) : undefined;
  const fields: Record<string, DetailValue> = {};
  for (const [name, value] of Object.entries(message)) {
    if (!HEADER.has(name)) fields[name] = shape(name, value);
  }
  return {
    source: EVENT_SOURCE,
    detailType: DETAIL_TYPES[type],
    ...(time && { time }),
    detail: {
      ...fields,
      corpId: textOf(message, 'ToUserName') ?? '',
      changeType: type,
      ...(time && { createTime: time.toISOString() }),
    },
  };
}

function shape(name: string, value: XmlValue): DetailValue {
  if (Array.isArray(value)) return value.map((item) => shape(name, item));
  if (typeof value === 'object') {
    // <ExtAttr><Item>…</Item></ExtAttr>: the list itself.
    if (Object.keys(value).length === 1 && Array.isArray(value.Item)) return shape('Item', value.Item);
    return Object.fromEntries(Object.entries(value).map(([child, inner]) => [child, shape(child, inner)]));
  }
  if (INTEGER_LISTS.has(name)) return csv(value).map(integerOrText);
  if (STRING_LISTS.has(name)) return csv(value);
  if (INTEGERS.has(name)) return integerOrText(value);
  return value;
}

function csv(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A number when the text is one; otherwise the text as WeCom sent it (never dropped). */
function integerOrText(value: string): number | string {
  return INTEGER.test(value) ? Number(value) : value;
}
