/**
 * Parsing WeCom's callback XML (the envelope and the decrypted event) with fast-xml-parser, hardened:
 *
 * - A DOCTYPE or ENTITY declaration is refused before parsing: WeCom never sends one, and without one
 *   no document can define an entity, so neither external entities (XXE) nor nested expansion
 *   (billion laughs) can exist. As a second wall the parser's entity decoder is ours: it ignores
 *   declared entities and decodes only XML's five predefined entities and character references.
 * - Well-formedness is checked first (XMLValidator): a truncated or mismatched document is refused
 *   rather than half-read.
 * - CDATA and bare text read alike (WeCom's samples mix them); attributes are ignored (WeCom sends
 *   none); `Item` is always a list (ExtAttr items).
 *
 * Why fast-xml-parser: maintained, pure JavaScript, ~65 KiB minified, and the AWS SDK's own XML parser,
 * so it is a dependency the ecosystem already audits.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CallbackRefusal, type RefusalReason } from './errors.ts';

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

const DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g;

/** XML's predefined entities and character references; anything else stays as written. */
export function decodeXmlText(text: string): string {
  return text.replace(
    REFERENCE,
    (whole, hex: string | undefined, decimal: string | undefined, name?: string) => {
      if (name !== undefined) return PREDEFINED[name] ?? whole;
      const code = Number.parseInt(hex ?? decimal ?? '', hex !== undefined ? 16 : 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  entityDecoder: {
    // Declared entities are never used (and never reach here: a DOCTYPE is refused first).
    setExternalEntities: () => {},
    addInputEntities: () => {},
    reset: () => {},
    setXmlVersion: () => {},
    decode: decodeXmlText,
  },
  isArray: (name) => name === 'Item',
});

/**
 * The children of the `<xml>` root, or a CallbackRefusal with `reason` when the text is not a
 * well-formed `<xml>` document without declarations.
 */
export function parseCallbackXml(text: string, reason: RefusalReason): XmlObject {
  if (DECLARATION.test(text) || XMLValidator.validate(text) !== true) throw new CallbackRefusal(reason);
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch {
    throw new CallbackRefusal(reason);
  }
  const root = (document as XmlObject).xml;
  if (root === undefined || typeof root !== 'object' || Array.isArray(root))
    throw new CallbackRefusal(reason);
  return root;
}

/** A child element's text, or `undefined` when absent or not text. */
export function textOf(element: XmlObject, name: string): string | undefined {
  const value = element[name];
  return typeof value === 'string' ? value : undefined;
}
