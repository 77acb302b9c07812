/**
 * The cold-start baseline: a Lambda function that imports undici and makes one request (to the same
 * sandbox endpoint the subject calls, with a token it is given), and nothing else. Bundled and run
 * exactly like the subject (bench/lambda-layout.ts, bench/lambda/driver.mjs).
 */
import { request } from 'undici';

const target = process.env.BENCH_TARGET_URL;
if (target === undefined) throw new Error('BENCH_TARGET_URL is not set');

export const handler = async (): Promise<{ statusCode: number; body: string }> => {
  const { statusCode, body } = await request(target);
  return { statusCode, body: await body.text() };
};
