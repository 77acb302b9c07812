/**
 * Concurrent requests on the local API keep their invocation context apart: each error answer's
 * `requestId` is on that request's log lines, and on no other request's (one async context per
 * invocation, as on a Lambda runtime running invocations concurrently).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalApi, startLocalApi } from '#local/server.ts';
import { captureOutput } from '#test/report/output.ts';

// Refusals are INFO lines; the suite's default level is SILENT.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
});

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ env: {} });
});
afterAll(() => api.stop());

const REQUESTS = 200;

/** Three kinds of failing request, on three functions: WeCom refuses, validation refuses, no member. */
function request(index: number): { path: string; init: RequestInit; functionName: string } {
  switch (index % 3) {
    case 0:
      return { path: `/users/missing-${index}`, init: {}, functionName: 'wecom-contact-user-get' };
    case 1:
      return {
        path: '/users',
        init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userid":"-bad"}' },
        functionName: 'wecom-contact-user-create',
      };
    default:
      return {
        path: `/users/missing-${index}`,
        init: { method: 'DELETE' },
        functionName: 'wecom-contact-user-delete',
      };
  }
}

describe('200 concurrent requests', () => {
  it("find their own log lines by their answer's requestId, and only theirs", async () => {
    const output = captureOutput();
    let answers: Array<{ status: number; requestId: string; functionName: string }>;
    try {
      answers = await Promise.all(
        Array.from({ length: REQUESTS }, async (_, index) => {
          const { path, init, functionName } = request(index);
          const response = await fetch(`${api.url}${path}`, init);
          const body = (await response.json()) as { requestId: string };
          return { status: response.status, requestId: body.requestId, functionName };
        }),
      );
    } finally {
      output.restore();
    }
    const lines = output.json().filter((line) => !('_aws' in line));

    expect(answers.every(({ status }) => status >= 400 && status < 500)).toBe(true);
    expect(new Set(answers.map(({ requestId }) => requestId)).size).toBe(REQUESTS);
    for (const { requestId, functionName } of answers) {
      const own = lines.filter((line) => line.function_request_id === requestId);
      expect(own.length, requestId).toBeGreaterThan(0);
      // One request: one function, one API Gateway request id; and that id on no other request's line.
      expect(new Set(own.map((line) => line.function_name))).toEqual(new Set([functionName]));
      // The outcome line names the API Gateway request; the client's and token lines do not.
      const apiRequestIds = new Set(
        own.flatMap((line) => (typeof line.apiRequestId === 'string' ? [line.apiRequestId] : [])),
      );
      expect(apiRequestIds.size).toBe(1);
      const elsewhere = lines.filter(
        (line) => line.function_request_id !== requestId && apiRequestIds.has(String(line.apiRequestId)),
      );
      expect(elsewhere).toEqual([]);
    }
  });
});
