/**
 * WeCom's published callback test vectors (sources inside vectors.json: the official 加解密方案说明
 * example and sbzhu/weworkapi_python's sample), plus one generated change_contact vector.
 */
import vectors from './vectors.json' with { type: 'json' };

export interface SignedRequest {
  readonly msg_signature: string;
  readonly timestamp: string;
  readonly nonce: string;
}
export interface Vector {
  readonly id: string;
  readonly token: string;
  readonly encodingAESKey: string;
  readonly receiveId: string;
  readonly get?: SignedRequest & { echostr: string; echostr_urlencoded?: string; plaintext: string };
  readonly post: SignedRequest & { encrypt: string; body_xml?: string; plaintext: string; random16?: string };
}

export const VECTORS: readonly Vector[] = vectors.vectors;
export const GET_VECTORS = VECTORS.filter((vector) => vector.get !== undefined);

export function vector(id: string): Vector {
  const found = VECTORS.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no vector ${id}`);
  return found;
}

/** The POST body WeCom sends: the vector's own when it has one, else the documented envelope. */
export function postBody(vector: Vector): string {
  return (
    vector.post.body_xml ??
    `<xml><ToUserName><![CDATA[${vector.receiveId}]]></ToUserName><Encrypt><![CDATA[${vector.post.encrypt}]]></Encrypt></xml>`
  );
}
