/** The failure memory: what a failed gettoken blocks, for how long, and what it answers meanwhile. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '#shared/error-mapping.ts';
import {
  TokenUnavailableError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  WeComError,
} from '#shared/errors.ts';
import {
  classifyRefreshFailure,
  DEFAULT_BACKOFF,
  DEFAULT_CREDENTIAL_RECHECK_MS,
  FailureMemory,
} from '#shared/token/failure-memory.ts';
import { FakeClock, logsOf, metricCount, silenceLogs } from '../helpers.ts';

let restoreLogs: () => void;
beforeAll(async () => {
  restoreLogs = await silenceLogs();
});
afterAll(() => restoreLogs());

const refused = new WeComError('gettoken', 40001, 'invalid credential');
const busy = new WeComError('gettoken', -1, 'system busy');

function setUp() {
  const clock = new FakeClock();
  return { clock, memory: new FailureMemory({ clock: clock.read, random: () => 0 }) };
}

describe('classes of a failed gettoken', () => {
  it.each([40001, 40013, 40091, 41002, 41004])('errcode %i: credentials', (errcode) => {
    expect(classifyRefreshFailure(new WeComError('gettoken', errcode, 'x'))).toBe('credentials');
  });

  it.each([
    ['-1', busy],
    ['45009', new WeComError('gettoken', 45009, 'x')],
    ['HTTP 502', new UpstreamHttpError('gettoken', 502)],
    ['a reset', new UpstreamNetworkError('gettoken', 'ECONNRESET', true)],
    ['a timeout', new UpstreamTimeoutError('gettoken')],
  ])('%s: transient', (_case, error) => {
    expect(classifyRefreshFailure(error)).toBe('transient');
  });

  it('anything else is not remembered', () => {
    expect(classifyRefreshFailure(new WeComError('gettoken', 60020, 'x'))).toBeUndefined();
    expect(classifyRefreshFailure(new UpstreamHttpError('gettoken', 404))).toBeUndefined();
    expect(classifyRefreshFailure(new TypeError('bug'))).toBeUndefined();
  });
});

describe('a refused credential', () => {
  it('blocks its key for good with the same 502, and other keys not at all', () => {
    const { clock, memory } = setUp();
    expect(memory.record('contact', 'k1', refused, undefined)).toMatchObject({
      failure: { class: 'credentials', key: 'k1', attempts: 1, errcode: 40001 },
    });
    clock.advance(24 * 3_600_000);
    const blocked = memory.blocking('contact', 'k1');
    expect(blocked).toBeInstanceOf(WeComError);
    expect(describeError(blocked)).toMatchObject({ status: 502, message: expect.stringContaining('secret') });
    expect(memory.blocking('contact', 'k2')).toBeUndefined();
    expect(memory.blocking('app', 'k1')).toBeUndefined();
  });

  it('is re-read at most once per interval, counted from the last read', () => {
    const { clock, memory } = setUp();
    memory.noteLoaded('contact');
    memory.record('contact', 'k1', refused, undefined);
    expect(memory.recheckDue('contact', 'k1')).toBe(false);
    clock.advance(DEFAULT_CREDENTIAL_RECHECK_MS);
    expect(memory.recheckDue('contact', 'k1')).toBe(true);
    memory.checked('contact');
    expect(memory.recheckDue('contact', 'k1')).toBe(false);
    expect(memory.recheckDue('contact', 'k2')).toBe(false);
  });
});

describe('a transient failure', () => {
  it('blocks every key until the backoff ends, answering 503 with the time left as Retry-After', () => {
    const { clock, memory } = setUp();
    const { until } = memory.record('contact', 'k1', busy, undefined) ?? { until: 0 };
    expect(until - clock.now).toBe(DEFAULT_BACKOFF.baseMs / 2);
    const blocked = memory.blocking('contact', 'k1');
    expect(blocked).toBeInstanceOf(TokenUnavailableError);
    expect(describeError(blocked)).toMatchObject({ status: 503, retryAfterSeconds: 1 });
    clock.advance(DEFAULT_BACKOFF.baseMs / 2);
    expect(memory.blocking('contact', 'k1')).toBeUndefined();
  });

  it('grows the backoff with the fleet’s failures in a row, up to its cap', () => {
    const { memory } = setUp();
    let previous: ReturnType<typeof memory.record>;
    const steps: number[] = [];
    for (let failure = 0; failure < 8; failure++) {
      previous = memory.record('contact', 'k', busy, previous?.failure);
      steps.push(previous?.failure.attempts ?? 0);
    }
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(memory.blocking('contact', 'k')).toMatchObject({
      retryAfterSeconds: DEFAULT_BACKOFF.maxMs / 2 / 1000,
    });
  });

  it('is forgotten after a success', () => {
    const { memory } = setUp();
    memory.record('contact', 'k', busy, undefined);
    memory.clear('contact');
    expect(memory.blocking('contact', 'k')).toBeUndefined();
  });
});

describe('the fleet’s record', () => {
  it('is adopted from the lease parameter: a container that never failed answers at once too', () => {
    const { clock, memory } = setUp();
    memory.adopt('contact', {
      holder: 'other',
      expiresAt: clock.now + 4_000,
      failure: { class: 'transient', key: 'k', attempts: 3, errcode: -1 },
    });
    expect(memory.blocking('contact', 'k')).toMatchObject({ retryAfterSeconds: 4 });
    memory.adopt('contact', { holder: 'h', expiresAt: clock.now + 10_000 }); // a plain lease: nothing
    expect(memory.blocking('contact', 'k')).toMatchObject({ retryAfterSeconds: 4 });
  });

  it('never holds the secret or a token, and each failure counts TokenRefreshFailed with its class', async () => {
    const { memory } = setUp();
    const { lines, result: records } = await logsOf('WARN', async () => [
      memory.record('contact', 'ww:0123456789abcdef', refused, undefined),
      memory.record('app', 'ww:0123456789abcdef', busy, undefined),
    ]);
    expect(JSON.stringify(records)).not.toMatch(/secret|token/i);
    expect(lines.some((line) => line.level === 'WARN')).toBe(true);
    expect(metricCount(lines, 'TokenRefreshFailed')).toBe(2);
    const classes = lines.filter((line) => 'TokenRefreshFailed' in line).map((line) => line.class);
    expect(classes.sort()).toEqual(['credentials', 'transient']);
  });
});
