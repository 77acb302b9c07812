import { afterEach, describe, expect, it } from 'vitest';
import { logger, redactingReplacer } from '#shared/observability.ts';
import { REDACTED, redactText, redactUrl, rememberSecret, rememberToken } from '#shared/wecom/redact.ts';
import { captureOutput } from './helpers.ts';

describe('redaction', () => {
  it('hides access_token and corpsecret in URLs, keeping the rest readable', () => {
    expect(redactUrl('https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=s3cr-et_x')).toBe(
      `https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=${REDACTED}`,
    );
    expect(redactUrl(new URL('http://h/cgi-bin/user/get?access_token=abc.DEF-1&userid=zhangsan'))).toBe(
      `http://h/cgi-bin/user/get?access_token=${REDACTED}&userid=zhangsan`,
    );
  });

  it('hides e-mail addresses and mobile numbers in free text, not request hints or ips', () => {
    const errmsg =
      'mobile existed:13800000001, email zhangsan@example.com, +86 13912345678, hint: [1730458186056773912722469], from ip: 10.1.2.3';
    const redacted = redactText(errmsg);
    expect(redacted).not.toMatch(/13800000001|zhangsan@example\.com|13912345678/);
    expect(redacted).toContain('[1730458186056773912722469]');
    expect(redacted).toContain('from ip: 10.1.2.3');
  });

  it('keeps request ids whole even where their hex digits read as a mobile number', () => {
    // The ids a lost log line carried: a UUID's last group, digits then a letter, or a letter first.
    const ids = ['f93f1db0-20a0-4e04-84ab-19556275931a', 'fbfc02a0-84d1-406e-9d6f-a13800138000'];
    for (const id of ids) {
      expect(redactText(`request ${id} refused`)).toBe(`request ${id} refused`);
      expect(redactingReplacer('function_request_id', id)).toBe(id);
    }
    // A number on its own is still a mobile, in ASCII or Chinese text.
    expect(redactText('手机13800000001已存在; tel_13800000002; (13800000003)')).toBe(
      `手机${REDACTED}已存在; tel_${REDACTED}; (${REDACTED})`,
    );
  });

  it('hides non-mainland mobile numbers in their international form', () => {
    const errmsg = 'mobile existed: +852 91234567; also +1-202-555-0123 and +44 7911 123456, order 12345678';
    const redacted = redactText(errmsg);
    expect(redacted).not.toMatch(/91234567|202-555-0123|7911 123456/);
    expect(redacted).toContain('order 12345678');
  });

  it('hides any secret or token the layer registered, wherever it appears', () => {
    rememberSecret('opaque-value-9f3k');
    expect(redactText('SDK error: parameter value opaque-value-9f3k rejected')).toBe(
      `SDK error: parameter value ${REDACTED} rejected`,
    );
  });

  it('keeps hiding the corp secret however many tokens a long-lived container has seen', () => {
    rememberSecret('corp-secret-loaded-first');
    rememberToken('token-held-long-ago');
    for (let token = 0; token < 1_000; token++) rememberToken(`rotated-token-${token}`);
    expect(redactText('echo corp-secret-loaded-first rotated-token-999')).toBe(
      `echo ${REDACTED} ${REDACTED}`,
    );
    // Only tokens rotate out of the scrub list (a token that old has long expired).
    expect(redactText('echo token-held-long-ago')).toBe('echo token-held-long-ago');
  });

  it.each([
    'access_token',
    'accessToken',
    'corpsecret',
    'secret',
    'mobile',
    'email',
    'biz_mail',
    'telephone',
  ])('replaces a %s attribute whole in log lines', (key) => {
    expect(redactingReplacer(key, 'anything')).toBe(REDACTED);
    expect(redactingReplacer(key, { nested: 1 })).toBe(REDACTED);
  });

  it('keeps harmless attributes', () => {
    expect(redactingReplacer('api', 'user/get')).toBe('user/get');
    expect(redactingReplacer('expiresAt', 1)).toBe(1);
  });
});

describe('the logger', () => {
  let output: ReturnType<typeof captureOutput> | undefined;
  afterEach(() => output?.restore());

  it('never prints a token, secret, mobile or email, even inside errors and nested attributes', () => {
    output = captureOutput();
    const previous = logger.getLevelName();
    logger.setLogLevel('DEBUG');
    try {
      const cause = new Error('GET /cgi-bin/gettoken?corpid=ww1&corpsecret=TOPSECRET failed');
      logger.error('call failed', {
        error: new Error('boom for lisi@example.com', { cause }),
        url: 'http://h/cgi-bin/user/get?access_token=TOKEN123&userid=a',
        member: { userid: 'a', mobile: '13800000002', email: 'lisi@example.com' },
        token: 'TOKEN123',
      });
    } finally {
      logger.setLogLevel(previous);
    }
    const text = output.text();
    expect(text).toContain('call failed');
    expect(text).toContain('userid=a');
    for (const secret of ['TOPSECRET', 'TOKEN123', '13800000002', 'lisi@example.com']) {
      expect(text).not.toContain(secret);
    }
  });
});
