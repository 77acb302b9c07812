import { describe, expect, it } from 'vitest';
import { CallbackRefusal } from '#shared/callback/errors.ts';
import { decodeXmlText, parseCallbackXml } from '#shared/callback/xml.ts';
import { VECTORS } from './vectors.ts';

const parse = (text: string) => parseCallbackXml(text, 'not-xml');
const refused = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    return error instanceof CallbackRefusal && error.reason === 'not-xml';
  }
  return false;
};

describe('parseCallbackXml', () => {
  it.each(VECTORS)('reads the plaintext of vector $id', ({ post, receiveId }) => {
    const message = parse(post.plaintext);
    expect(message.ToUserName).toBe(receiveId);
    expect(typeof message.CreateTime).toBe('string');
  });

  it('reads CDATA and bare text alike, entities decoded only outside CDATA', () => {
    const message = parse(
      '<xml><A><![CDATA[a &amp; <b>]]></A><B>a &amp; &lt;b&gt; &#20320;&#x597D;</B><C>13800000000</C></xml>',
    );
    expect(message).toEqual({ A: 'a &amp; <b>', B: 'a & <b> 你好', C: '13800000000' });
  });

  it('reads nested elements and always lists Item', () => {
    const message = parse(
      '<xml><ExtAttr><Item><Name><![CDATA[爱好]]></Name><Type>0</Type><Text><Value><![CDATA[travel]]></Value></Text></Item></ExtAttr></xml>',
    );
    expect(message.ExtAttr).toEqual({ Item: [{ Name: '爱好', Type: '0', Text: { Value: 'travel' } }] });
  });

  it('refuses an external entity (XXE) without reading it', () => {
    expect(
      refused(
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><A>&xxe;</A></xml>',
      ),
    ).toBe(true);
    expect(refused('<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd"><xml><A>1</A></xml>')).toBe(true);
  });

  it('refuses a billion-laughs document without expanding it', () => {
    const levels = Array.from({ length: 9 }, (_, level) =>
      level === 0 ? '<!ENTITY lol0 "lol">' : `<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`,
    ).join('');
    expect(refused(`<?xml version="1.0"?><!DOCTYPE lolz [${levels}]><xml><A>&lol8;</A></xml>`)).toBe(true);
  });

  it('never expands an entity even where a declaration slipped past the check', () => {
    expect(decodeXmlText('&lol8; &xxe; &amp;')).toBe('&lol8; &xxe; &');
  });

  it.each([
    ['plain text', 'hello'],
    ['JSON', '{"xml":1}'],
    ['a mismatched tag', '<xml><A>1</B></xml>'],
    ['a truncated document', '<xml><A>1</A>'],
    ['another root', '<root><A>1</A></root>'],
    ['an empty root', '<xml></xml>'],
    ['nothing', ''],
  ])('refuses %s', (_, text) => {
    expect(refused(text)).toBe(true);
  });
});
