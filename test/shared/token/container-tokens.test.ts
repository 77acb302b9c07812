/** A container's own tokens: fresh, fallback, and the rejected ones it never hands out again. */
import { describe, expect, it } from 'vitest';
import { ContainerTokens } from '#shared/token/container-tokens.ts';
import type { StoredToken } from '#shared/token/store.ts';
import { FakeClock } from '../helpers.ts';

const clock = new FakeClock();
const record = (token: string, lifetimeMs = 7_200_000): StoredToken => ({
  key: 'k',
  token,
  expiresAt: clock.now + lifetimeMs,
  refreshAt: clock.now + lifetimeMs - 30_000,
});

describe('a container’s tokens', () => {
  it('serves a fresh record of its key, and falls back to one due but valid', () => {
    const tokens = new ContainerTokens(clock.read);
    const held = tokens.remember('contact', record('T', 60_000));
    expect(tokens.fresh('contact', 'k')).toBe(held);
    expect(tokens.fresh('contact', 'other')).toBeUndefined();
    const due = new ContainerTokens(() => held.refreshAt);
    due.remember('contact', held);
    expect(due.fresh('contact', 'k')).toBeUndefined();
    expect(due.fallback('contact', 'k')).toBe(held);
    expect(new ContainerTokens(() => held.expiresAt).fallback('contact', 'k')).toBeUndefined();
  });

  it('never hands out a rejected token again: not fresh, not a fallback, not usable from the store', () => {
    const tokens = new ContainerTokens(clock.read);
    tokens.remember('contact', record('T'));
    tokens.reject('contact', 'T');
    expect(tokens.fresh('contact', 'k')).toBeUndefined();
    expect(tokens.fallback('contact', 'k')).toBeUndefined();
    expect(tokens.usable('contact', record('T'), 'k')).toBe(false);
    expect(tokens.usable('contact', record('U'), 'k')).toBe(true);
    tokens.keepAsFallback('contact', 'k', record('T'));
    expect(tokens.current('contact')).toBeUndefined();
  });

  it('keeps the longer-lived of two valid fallbacks', () => {
    const tokens = new ContainerTokens(clock.read);
    tokens.remember('contact', record('long', 7_200_000));
    tokens.keepAsFallback('contact', 'k', record('short', 60_000));
    expect(tokens.current('contact')?.token).toBe('long');
    tokens.keepAsFallback('contact', 'k', record('longer', 8_000_000));
    expect(tokens.current('contact')?.token).toBe('longer');
  });
});
