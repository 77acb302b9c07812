import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_DETAIL_TYPES, DETAIL_SCHEMAS, schemaFileName } from '#shared/callback/detail-schemas.ts';
import { type DetailType, EVENT_SOURCE, toDirectoryEvent } from '#shared/callback/events.ts';
import { parseCallbackXml } from '#shared/callback/xml.ts';
import { SCHEMA_DIR, schemaText } from '../../scripts/event-schemas.ts';
import { SAMPLES } from './samples.ts';
import { VECTORS, vector } from './vectors.ts';

const eventOf = (xml: string) => toDirectoryEvent(parseCallbackXml(xml, 'not-xml'));

describe('toDirectoryEvent', () => {
  it.each(SAMPLES)(
    'maps $name to "$detailType" with WeCom names, arrays, numbers and an ISO time',
    (sample) => {
      const event = eventOf(sample.xml);
      expect(event).toEqual({
        source: EVENT_SOURCE,
        detailType: sample.detailType,
        time: new Date(1_700_000_000_000),
        detail: sample.detail,
      });
      expect(DETAIL_SCHEMAS[sample.detailType as DetailType].safeParse(event?.detail).success).toBe(true);
    },
  );

  it('maps the generated change_contact vector', () => {
    expect(eventOf(vector('generated-change_contact').post.plaintext)?.detail).toEqual({
      corpId: 'wx5823bf96d3bd56c7',
      changeType: 'update_user',
      createTime: '2023-11-14T22:13:20.000Z',
      UserID: 'zhangsan',
      NewUserID: 'zhangsan001',
      Department: [1, 2],
    });
  });

  it.each(VECTORS.filter(({ id }) => id !== 'generated-change_contact'))(
    'ignores the published text message of $id: not a directory change',
    ({ post }) => {
      expect(eventOf(post.plaintext)).toBeUndefined();
    },
  );

  it('ignores change types it does not know, and other events', () => {
    const head = '<xml><ToUserName>ww1</ToUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>';
    expect(
      eventOf(`${head}<Event>change_contact</Event><ChangeType>toString</ChangeType></xml>`),
    ).toBeUndefined();
    expect(
      eventOf(`${head}<Event>change_contact</Event><ChangeType>future_change</ChangeType></xml>`),
    ).toBeUndefined();
    expect(eventOf(`${head}<Event>enter_agent</Event></xml>`)).toBeUndefined();
  });

  it('passes unknown fields on and keeps a non-numeric number as WeCom sent it', () => {
    const detail = eventOf(
      '<xml><ToUserName>ww1</ToUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_party</ChangeType><Id>abc</Id><NewField>x</NewField></xml>',
    )?.detail;
    expect(detail).toMatchObject({ Id: 'abc', NewField: 'x' });
  });
});

describe('published JSON Schemas', () => {
  it('cover every detail-type', () => {
    expect(ALL_DETAIL_TYPES.sort()).toEqual([...new Set(SAMPLES.map((sample) => sample.detailType))].sort());
  });
  it.each(ALL_DETAIL_TYPES)(
    'docs/events/schemas for "%s" is what npm run event-schemas writes',
    (detailType) => {
      const committed = readFileSync(path.join(SCHEMA_DIR, schemaFileName(detailType)), 'utf8');
      expect(JSON.parse(committed)).toEqual(JSON.parse(schemaText(detailType)));
    },
  );
});
