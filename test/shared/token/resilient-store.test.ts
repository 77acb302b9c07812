/** The store wrapper: failures become states, with a warning and the TokenStoreDegraded metric. */
import { describe, expect, it } from 'vitest';
import { ResilientStore } from '#shared/token/resilient-store.ts';
import { CountingStore, FakeClock, logsOf, metricCount, throttled } from '../helpers.ts';

const record = { key: 'k', token: 'T', expiresAt: 2, refreshAt: 1 };

function setUp() {
  const clock = new FakeClock();
  const store = new CountingStore();
  const sleeps: number[] = [];
  const resilient = new ResilientStore(store, {
    clock: clock.read,
    sleep: async (ms) => sleeps.push(ms),
    random: () => 0.5,
  });
  return { clock, store, resilient, sleeps };
}

describe('the resilient store', () => {
  it('passes answers through when the store works', async () => {
    const { store, resilient, clock } = setUp();
    await store.inner.write('contact', record);
    expect(await resilient.read('contact')).toEqual({
      state: 'ok',
      view: { token: record, lease: undefined },
    });
    expect(await resilient.write('contact', record, clock.now + 1_000)).toBe('ok');
  });

  it('tells throttled from unavailable, warning and counting TokenStoreDegraded each time', async () => {
    const { store, resilient } = setUp();
    const { lines, result } = await logsOf('WARN', async () => {
      store.failWith = throttled();
      const busy = await resilient.read('contact');
      store.failWith = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const down = await resilient.acquireLease('contact', { holder: 'h', expiresAt: 1 }, 'k');
      return [busy, down];
    });
    expect(result).toEqual([{ state: 'throttled' }, { state: 'unavailable' }]);
    expect(metricCount(lines, 'TokenStoreDegraded')).toBe(2);
    expect(lines.filter((line) => line.level === 'WARN').map((line) => line.operation)).toEqual([
      'read',
      'lease',
    ]);
  });

  it('retries a throttled write once while time allows; never an unavailable one', async () => {
    const { store, resilient, clock, sleeps } = setUp();
    store.failWhen = (operation, count) => (operation === 'write' && count === 1 ? throttled() : undefined);
    expect(await resilient.write('contact', record, clock.now + 1_000)).toBe('ok');
    expect(store.counts.write).toBe(2);
    expect(sleeps).toHaveLength(1);

    store.failWhen = () => new Error('down');
    expect(await resilient.write('contact', record, clock.now + 1_000)).toBe('unavailable');
    expect(store.counts.write).toBe(3);

    store.failWhen = () => throttled();
    expect(await resilient.write('contact', record, clock.now)).toBe('throttled'); // no time left
    expect(store.counts.write).toBe(4);
  });
});
