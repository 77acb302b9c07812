import { describe, expect, it } from 'vitest';
import { readConfig } from '#cdk/config.ts';

const fromContext = (context: Record<string, unknown>) => readConfig((key) => context[key]);

describe('the stack configuration (CDK context)', () => {
  it('defaults to the dev stage without a VPC, with the daily 09:00 report and no options', () => {
    expect(fromContext({})).toEqual({
      stage: 'dev',
      ssmPrefix: '/wecom-contact/dev',
      appCredential: false,
      egress: 'default',
      natGateways: 1,
      reportSchedule: 'cron(0 9 * * ? *)',
      reportWebhook: false,
      writeConcurrency: 4,
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      fetchChildMaxDepartments: 100,
      tracing: false,
      logRetention: 30,
      sourceMaps: false,
      callbackEnrichment: true,
      eventArchiveRetentionDays: 365,
      eventSchemaRegistry: false,
      callbackThrottle: { rateLimit: 20, burstLimit: 40 },
      lookupMissAlarmPercent: 15,
    });
  });

  it('derives the SSM prefix from the stage unless one is given', () => {
    expect(fromContext({ stage: 'prod' }).ssmPrefix).toBe('/wecom-contact/prod');
    expect(fromContext({ stage: 'prod', ssmPrefix: '/acme/wecom' }).ssmPrefix).toBe('/acme/wecom');
  });

  it('accepts the strings `cdk -c key=value` passes for booleans, numbers and objects', () => {
    const config = fromContext({
      reportWebhook: 'true',
      appCredential: 'false',
      natGateways: '2',
      writeConcurrency: '8',
      apiThrottle: '{"rateLimit":20,"burstLimit":40}',
      jwt: '{"issuer":"https://login.example.com","audience":["wecom"]}',
      logRetentionDays: '90',
      sourceMaps: 'true',
    });
    expect(config).toMatchObject({
      reportWebhook: true,
      appCredential: false,
      natGateways: 2,
      writeConcurrency: 8,
      apiThrottle: { rateLimit: 20, burstLimit: 40 },
      jwt: { issuer: 'https://login.example.com', audience: ['wecom'] },
      logRetention: 90,
      sourceMaps: true,
    });
  });

  it('refuses bad values, naming every wrong key at once', () => {
    const message = errorMessageOf(() =>
      fromContext({
        stage: 'Prod',
        ssmPrefix: 'wecom/',
        egress: 'vpc',
        natGateways: 3,
        reportSchedule: '0 9 * * *',
        writeConcurrency: 1,
        jwt: '{"issuer":"http://insecure.example.com","audience":[]}',
        logRetentionDays: 4,
        alarmEmail: 'ops',
        reportWebhook: 'yes please',
      }),
    );
    expect(message).toMatch(/^Invalid CDK context:/);
    const keys = [...message.matchAll(/^ {2}- (\w+)/gm)].map(([, key]) => key);
    expect(new Set(keys)).toEqual(
      new Set([
        'stage',
        'ssmPrefix',
        'egress',
        'natGateways',
        'reportSchedule',
        'writeConcurrency',
        'jwt',
        'logRetentionDays',
        'alarmEmail',
        'reportWebhook',
      ]),
    );
  });
});

function errorMessageOf(attempt: () => unknown): string {
  try {
    attempt();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}
