/** The token lifetime policy: pure functions, no provider. */
import { describe, expect, it } from 'vitest';
import { describeError } from '#shared/error-mapping.ts';
import { UnexpectedAnswerError } from '#shared/errors.ts';
import {
  isFresh,
  isNews,
  isValid,
  jitteredDelay,
  readIssuedToken,
  recordIssued,
} from '#shared/token/lifetime.ts';
import type { StoredToken } from '#shared/token/store.ts';

const NOW = Date.UTC(2026, 0, 1);
const MARGIN = 30_000;
const record = (token: string, overrides: Partial<StoredToken> = {}): StoredToken => ({
  key: 'k',
  token,
  expiresAt: NOW + 7_200_000,
  refreshAt: NOW + 7_200_000 - MARGIN,
  ...overrides,
});

describe('reading a gettoken answer', () => {
  it('takes the token and its lifetime, errcode 0 or none', () => {
    expect(readIssuedToken({ errcode: 0, errmsg: 'ok', access_token: 'T', expires_in: 7200 })).toEqual({
      token: 'T',
      lifetimeMs: 7_200_000,
    });
    expect(readIssuedToken({ access_token: 'T', expires_in: 60 })).toEqual({
      token: 'T',
      lifetimeMs: 60_000,
    });
  });

  it.each([
    ['no token', { errcode: 0, expires_in: 7200 }],
    ['an empty token', { errcode: 0, access_token: '', expires_in: 7200 }],
    ['a token of another type', { errcode: 0, access_token: 42, expires_in: 7200 }],
    ['no lifetime', { errcode: 0, access_token: 'T' }],
    ['a lifetime as text', { errcode: 0, access_token: 'T', expires_in: '7200' }],
    ['a zero lifetime', { errcode: 0, access_token: 'T', expires_in: 0 }],
    ['no object', null],
  ])('%s: a 502-class error naming an unexpected shape, not a TypeError', (_case, answer) => {
    const error = (() => {
      try {
        readIssuedToken(answer);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnexpectedAnswerError);
    expect(describeError(error)).toMatchObject({
      status: 502,
      message: expect.stringContaining('WeCom answered an unexpected shape'),
    });
  });
});

describe('the record of a new token', () => {
  it('counts the lifetime from before the request and refreshes a margin early', () => {
    const { record: fresh, reissued } = recordIssued(
      { token: 'T', lifetimeMs: 7_200_000 },
      'k',
      NOW,
      [],
      MARGIN,
    );
    expect(fresh).toEqual({
      key: 'k',
      token: 'T',
      expiresAt: NOW + 7_200_000,
      refreshAt: NOW + 7_200_000 - MARGIN,
    });
    expect(reissued).toBe(false);
  });

  it('caps the margin at half the lifetime', () => {
    const { record: fresh } = recordIssued({ token: 'T', lifetimeMs: 20_000 }, 'k', NOW, [], MARGIN);
    expect(fresh.refreshAt).toBe(NOW + 10_000);
  });

  it('keeps a re-issued token (or one following a re-issue) to its expiry, only for the same key', () => {
    const reissue = recordIssued({ token: 'T', lifetimeMs: 60_000 }, 'k', NOW, [record('T')], MARGIN);
    expect(reissue.reissued).toBe(true);
    expect(reissue.record.refreshAt).toBe(reissue.record.expiresAt);
    const kept = record('old', { refreshAt: NOW, expiresAt: NOW });
    expect(recordIssued({ token: 'N', lifetimeMs: 60_000 }, 'k', NOW, [kept], MARGIN).record.refreshAt).toBe(
      NOW + 60_000,
    );
    const otherKey = recordIssued(
      { token: 'T', lifetimeMs: 60_000 },
      'k',
      NOW,
      [record('T', { key: 'x' })],
      MARGIN,
    );
    expect(otherKey.reissued).toBe(false);
  });
});

describe('which record a container may use', () => {
  it('fresh: same key, not rejected, before its refreshAt', () => {
    const token = record('T');
    expect(isFresh(token, 'k', NOW)).toBe(true);
    expect(isFresh(token, 'other', NOW)).toBe(false);
    expect(isFresh(token, 'k', NOW, 'T')).toBe(false);
    expect(isFresh(token, 'k', token.refreshAt)).toBe(false);
    expect(isFresh(undefined, 'k', NOW)).toBe(false);
  });

  it('valid as a fallback: same key, never a rejected token, before its expiry', () => {
    const token = record('T');
    expect(isValid(token, 'k', token.refreshAt, new Set())).toBe(true);
    expect(isValid(token, 'k', token.refreshAt, new Set(['T']))).toBe(false);
    expect(isValid(token, 'k', token.expiresAt, new Set())).toBe(false);
  });

  it('news for the fleet: another key or token, or a later refreshAt', () => {
    const token = record('T');
    expect(isNews(undefined, token)).toBe(true);
    expect(isNews(token, token)).toBe(false);
    expect(isNews(token, { ...token, token: 'U' })).toBe(true);
    expect(isNews(token, { ...token, refreshAt: token.expiresAt })).toBe(true);
  });
});

describe('backoff with jitter', () => {
  it('doubles per step up to its cap, within [cap / 2, cap)', () => {
    expect(jitteredDelay(0, 1_000, 30_000, () => 0)).toBe(500);
    expect(jitteredDelay(0, 1_000, 30_000, () => 0.999)).toBeLessThan(1_000);
    expect(jitteredDelay(3, 1_000, 30_000, () => 0)).toBe(4_000);
    expect(jitteredDelay(10, 1_000, 30_000, () => 0)).toBe(15_000);
  });
});
