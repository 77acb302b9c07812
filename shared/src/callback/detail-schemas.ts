/**
 * The `detail` of each detail-type, as zod schemas: the source of the JSON Schemas published in
 * `docs/events/schemas/` (`npm run event-schemas` writes them; a test keeps them in step) and of the
 * tests that check every mapped event against its schema. Not loaded by the function.
 *
 * Objects are open: WeCom adds fields, and a consumer's schema check should not break when it does.
 * After 2022-08-15 most member and department fields are absent (docs/events.md, "Minimal fields"),
 * so only the ids are required.
 */
import * as z from 'zod';
import { type ChangeType, DETAIL_TYPES, type DetailType, EVENT_SOURCE } from './events.ts';

const integer = z.number().int();
const integers = z.array(integer);
const strings = z.array(z.string());

const common = <T extends ChangeType>(changeType: T) => ({
  corpId: z.string().describe('ToUserName: the corp id'),
  changeType: z.literal(changeType),
  createTime: z.iso.datetime().optional().describe('CreateTime as an ISO-8601 instant'),
});

const extAttr = z.array(
  z.looseObject({
    Name: z.string().optional(),
    Type: integer.optional().describe('0 text, 1 web'),
    Text: z.looseObject({ Value: z.string().optional() }).optional(),
    Web: z.looseObject({ Title: z.string().optional(), Url: z.string().optional() }).optional(),
  }),
);

/** Enrichment outcome when the member could not be read (the event is published all the same). */
const enrichment = z
  .object({
    status: z.enum(['refused', 'unavailable']),
    errcode: integer.optional().describe("WeCom's errcode when WeCom refused"),
  })
  .optional();

const memberFields = {
  UserID: z.string(),
  Department: integers.optional(),
  MainDepartment: integer.optional(),
  IsLeaderInDept: integers.optional(),
  DirectLeader: strings.optional(),
  Name: z.string().optional(),
  Position: z.string().optional(),
  Mobile: z.string().optional(),
  Gender: integer.optional(),
  Email: z.string().optional(),
  BizMail: z.string().optional(),
  Status: integer.optional(),
  Avatar: z.string().optional(),
  Alias: z.string().optional(),
  Telephone: z.string().optional(),
  Address: z.string().optional(),
  ExtAttr: extAttr.optional(),
  member: z.record(z.string(), z.unknown()).optional().describe('user/get answer (enrichment)'),
  enrichment,
};

export const DETAIL_SCHEMAS = {
  'Member created': z.looseObject({ ...common('create_user'), ...memberFields }),
  'Member updated': z.looseObject({
    ...common('update_user'),
    ...memberFields,
    NewUserID: z.string().optional(),
  }),
  'Member deleted': z.looseObject({ ...common('delete_user'), UserID: z.string() }),
  'Department created': z.looseObject({
    ...common('create_party'),
    Id: integer,
    ParentId: integer.optional(),
    Name: z.string().optional(),
    Order: integer.optional(),
  }),
  'Department updated': z.looseObject({
    ...common('update_party'),
    Id: integer,
    ParentId: integer.optional(),
    Name: z.string().optional(),
  }),
  'Department deleted': z.looseObject({ ...common('delete_party'), Id: integer }),
  'Tag members changed': z.looseObject({
    ...common('update_tag'),
    TagId: integer,
    AddUserItems: strings.optional(),
    DelUserItems: strings.optional(),
    AddPartyItems: integers.optional(),
    DelPartyItems: integers.optional(),
  }),
  'Batch job finished': z.looseObject({
    ...common('batch_job_result'),
    BatchJob: z.looseObject({
      JobId: z.string(),
      JobType: z.string(),
      ErrCode: integer,
      ErrMsg: z.string().optional(),
    }),
  }),
} as const satisfies Record<DetailType, z.ZodType>;

/** `Member created` → `member-created`: the schema's file name. */
export const schemaFileName = (detailType: DetailType) =>
  `${detailType.toLowerCase().replaceAll(' ', '-')}.json`;

/** The JSON Schema document of a detail-type. */
export function detailJsonSchema(detailType: DetailType): Record<string, unknown> {
  return {
    title: `${detailType} (source wecom.contact): detail`,
    ...z.toJSONSchema(DETAIL_SCHEMAS[detailType], { target: 'draft-2020-12', io: 'output' }),
  };
}

export const ALL_DETAIL_TYPES = Object.values(DETAIL_TYPES) as DetailType[];

/**
 * The whole event, as the EventBridge schema registry holds it (`JSONSchemaDraft4`, the envelope with
 * `detail` inside, as its code bindings expect): the same detail schema, written as draft 4.
 */
export function registryJsonSchema(detailType: DetailType): Record<string, unknown> {
  const { $schema, ...detail } = z.toJSONSchema(DETAIL_SCHEMAS[detailType], {
    target: 'draft-04',
    io: 'output',
  });
  return {
    $schema,
    title: `${detailType} (source ${EVENT_SOURCE})`,
    type: 'object',
    required: ['source', 'detail-type', 'detail'],
    properties: {
      version: { type: 'string' },
      id: { type: 'string' },
      source: { type: 'string', enum: [EVENT_SOURCE] },
      'detail-type': { type: 'string', enum: [detailType] },
      account: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      region: { type: 'string' },
      resources: { type: 'array', items: { type: 'string' } },
      detail,
    },
  };
}
