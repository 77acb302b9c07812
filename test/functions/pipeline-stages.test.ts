/**
 * The input steps are one typed pipeline (middleware/prepare.ts): raw input → request object →
 * validated request → result. In order they run; out of order they do not compile — the
 * `@ts-expect-error` lines below fail `npm run typecheck` the day a step accepts the wrong stage.
 */
import { describe, expect, it } from 'vitest';
import { Invocation, type ParsedRequest, type RawInput, type ReadyRequest } from '#shared/invocation.ts';
import { parseJson } from '#shared/middleware/parse-json.ts';
import { validateInput } from '#shared/middleware/validate-input.ts';
import { getOperation } from '#shared/operations.ts';

const validate = validateInput(getOperation('user-get'));

describe('the input pipeline', () => {
  it('in order: URL parameters and body become a request ready to run', () => {
    const raw = new Invocation<RawInput>('http', [
      { input: { json: '{}', parameters: { userid: 'zhangsan' } } },
    ]);
    const ready = raw.map(parseJson).map(validate);
    expect(typeof ready.item.input).toBe('function');
  });

  it('a refused SQS record keeps its error and drops its input; the others carry on', () => {
    const raw = new Invocation<RawInput>('sqs', [
      { messageId: 'bad', input: { json: '{"userid":' } },
      { messageId: 'good', input: { json: '{"userid":"lisi"}' } },
    ]);
    const [bad, good] = raw.map(parseJson).map(validate).items;
    expect(bad?.messageId).toBe('bad');
    expect(bad?.input).toBeUndefined();
    expect(bad?.error).toBeInstanceOf(Error);
    expect(typeof good?.input).toBe('function');
  });

  it('out of order does not compile', () => {
    const outOfOrder = (
      raw: Invocation<RawInput>,
      parsed: Invocation<ParsedRequest>,
      ready: Invocation<ReadyRequest>,
    ) => [
      // @ts-expect-error validation takes a request object, not a raw input
      raw.map(validate),
      // @ts-expect-error parsing takes a raw input, not a validated request
      ready.map(parseJson),
      parsed.runInSequence(
        // @ts-expect-error only a validated request runs
        (run) => run({} as never),
        () => false,
      ),
    ];
    expect(outOfOrder).toBeTypeOf('function');
  });
});
