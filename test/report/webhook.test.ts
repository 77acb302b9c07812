import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, DependencyUnavailableError } from '#shared/errors.ts';
import { WebhookError } from '#shared/report/errors.ts';
import { postGroupRobotMarkdown, webhookUrlFromParameter } from '#shared/report/webhook.ts';
import { type GroupRobot, refusingUrl, startGroupRobot } from './group-robot.ts';

describe('posting to the group robot', () => {
  let robot: GroupRobot;
  beforeEach(async () => {
    robot = await startGroupRobot();
  });
  afterEach(() => robot.stop());

  it('posts a markdown message as JSON to the webhook URL', async () => {
    await postGroupRobotMarkdown(robot.url, '### hello');
    expect(robot.received).toEqual([
      {
        method: 'POST',
        url: `/cgi-bin/webhook/send?key=${robot.key}`,
        contentType: 'application/json',
        body: { msgtype: 'markdown', markdown: { content: '### hello' } },
      },
    ]);
  });

  it.each([
    [500, { message: 'internal error' }, 'HTTP 500'],
    [200, { errcode: 93000, errmsg: 'invalid webhook url' }, 'errcode 93000'],
    [200, 'not an envelope', 'JSON envelope'],
  ])(
    'fails with a WebhookError that does not contain the key on HTTP %i %j',
    async (status, body, reason) => {
      robot.answerWith(status, body);
      const error = await postGroupRobotMarkdown(robot.url, 'x').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WebhookError);
      expect((error as Error).message).toContain(reason);
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(robot.key);
    },
  );

  it('fails with a WebhookError naming the cause, not the URL, when the connection is refused', async () => {
    const url = await refusingUrl();
    const error = await postGroupRobotMarkdown(url, 'x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).not.toContain('refused-key');
    expect((error as Error).cause).toBeUndefined();
  });

  it('refuses a parameter value that is not an http(s) URL, without echoing it', async () => {
    const error = await postGroupRobotMarkdown('ftp://secret-value', 'x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).not.toContain('secret-value');
  });
});

describe('the webhook URL parameter', () => {
  const ssm = mockClient(SSMClient);
  afterEach(() => ssm.reset());
  const name = '/wecom-contact/test/report/webhook-url';

  it('is read decrypted at first use and then kept', async () => {
    ssm
      .on(GetParameterCommand, { Name: name, WithDecryption: true })
      .resolves({ Parameter: { Value: 'https://robot' } });
    const url = webhookUrlFromParameter(name, () => new SSMClient({ region: 'cn-north-1' }));
    expect(ssm.calls()).toHaveLength(0);
    await expect(url()).resolves.toBe('https://robot');
    await expect(url()).resolves.toBe('https://robot');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('means "no message" while the parameter does not exist, and is asked again on the next run', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const url = webhookUrlFromParameter(name, () => new SSMClient({ region: 'cn-north-1' }));
    await expect(url()).resolves.toBeUndefined();
    await expect(url()).resolves.toBeUndefined();
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('fails with a ConfigurationError naming the parameter when it cannot be read', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const url = webhookUrlFromParameter(name, () => new SSMClient({ region: 'cn-north-1' }));
    await expect(url()).rejects.toThrow(
      new ConfigurationError(
        `The report webhook parameter ${name} could not be read (AccessDeniedException)`,
      ),
    );
  });

  it('fails with a DependencyUnavailableError when SSM is throttled, and asks again on the next run', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ Parameter: { Value: 'https://robot' } });
    const url = webhookUrlFromParameter(name, () => new SSMClient({ region: 'cn-north-1' }));
    await expect(url()).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(url()).resolves.toBe('https://robot');
  });
});
