/**
 * The two deployments every template test looks at: cdk.json's defaults, and one with every option
 * switched on (fixed egress, an app credential, the webhook, a JWT API, a stack-owned corp id, alarm
 * mail, source maps, X-Ray tracing, the event schema registry, and non-default numbers).
 */
export const DEFAULTS = {};

export const EVERYTHING = {
  egress: 'fixed-ip',
  natGateways: 2,
  appCredential: true,
  reportWebhook: true,
  corpId: 'ww0123456789abcdef',
  alarmEmail: 'it-ops@example.com',
  jwt: { issuer: 'https://login.example.com', audience: ['wecom-contact'] },
  reportSchedule: 'cron(30 7 ? * MON-FRI *)',
  writeConcurrency: 3,
  apiThrottle: { rateLimit: 20, burstLimit: 40 },
  logRetentionDays: 90,
  sourceMaps: true,
  corpSeats: 1000,
  tracing: true,
  eventSchemaRegistry: true,
} as const;

export const VARIANTS = { defaults: DEFAULTS, everything: EVERYTHING } as const;
