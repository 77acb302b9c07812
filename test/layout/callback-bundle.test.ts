/**
 * The standalone contact-callback bundle, as Lambda runs it: alone in a folder with no node_modules
 * and no layer, configured by its environment, answering WeCom's published GET vector.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CALLBACK_FUNCTION } from '#shared/callback/function.ts';
import { CALLBACK_ENV } from '#shared/callback/handler.ts';
import { ENV } from '#shared/stage-names.ts';
import { vector } from '#test/callback/vectors.ts';
import { buildFunction } from '../../scripts/build.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'contact-callback-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('contact-callback bundle', () => {
  it('carries its dependencies and answers the URL check without a layer', () => {
    const output = buildFunction(CALLBACK_FUNCTION.id, directory);
    expect(readdirSync(directory)).toEqual(['index.mjs']);
    expect(output.inputs.some((input) => input.includes('fast-xml-parser'))).toBe(true);
    // The operation table and its zod schemas stay out: the callback needs the credential rule, not the table.
    expect(
      output.inputs.filter((input) => /node_modules\/zod\/|shared\/src\/operations\.ts/.test(input)),
    ).toEqual([]);

    const { token, encodingAESKey, receiveId, get } = vector('official-91144');
    const { msg_signature, timestamp, nonce, echostr } = get as NonNullable<typeof get>;
    const event = {
      version: '2.0',
      rawPath: CALLBACK_FUNCTION.path,
      queryStringParameters: { msg_signature, timestamp, nonce, echostr },
      requestContext: { http: { method: 'GET', path: CALLBACK_FUNCTION.path } },
      isBase64Encoded: false,
    };
    const script = `const { handler } = await import(${JSON.stringify(output.entry)});
const answer = await handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 5000 });
process.stdout.write(JSON.stringify(answer));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: directory,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'ap-east-1',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        WECOM_SSM_PREFIX: '/wecom-contact/test',
        WECOM_CREDENTIALS: 'contact',
        [CALLBACK_ENV.token]: token,
        [CALLBACK_ENV.aesKey]: encodingAESKey,
        [ENV.corpId]: receiveId,
        [CALLBACK_ENV.enrich]: 'false',
      },
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ statusCode: 200, body: get?.plaintext });
  });
});
