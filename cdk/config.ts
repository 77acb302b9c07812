/**
 * The deployment's settings: CDK context keys (cdk.json, or `-c key=value` on the command line), parsed
 * and validated in one place so that a wrong value fails the synth with the key's name instead of
 * surfacing as a broken deployment. Values given on the command line arrive as strings; they are
 * accepted in that form too (`-c reportWebhook=true`, `-c apiThrottle='{"rateLimit":20,"burstLimit":40}'`).
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { DEFAULT_MAX_WALKED_DEPARTMENTS } from '#shared/call-budget.ts';

const bool = z.union([z.boolean(), z.stringbool()]);

/** Objects given with `-c key='{"…":…}'` arrive as JSON text. */
const json = <T extends z.ZodType>(schema: T) => z.preprocess(parseJsonText, schema);

function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value; // reported by the schema as "expected object"
  }
}

const RETENTION_DAYS = new Set(Object.values(RetentionDays).filter((days) => typeof days === 'number'));

const contextSchema = z
  .object({
    /**
     * Names the stack (`WeComContact-<stage>`) and the default SSM prefix.
     * @default 'dev'
     * @example -c stage=prod
     */
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, 'lower-case letters, digits and dashes, starting with a letter')
      .default('dev'),
    /**
     * SSM prefix of this stage's parameters (docs/architecture.md §6).
     * @default `/wecom-contact/<stage>`
     * @example -c ssmPrefix=/acme/wecom-prod
     */
    ssmPrefix: z
      .string()
      .regex(
        /^(\/[A-Za-z0-9_.-]+)+$/,
        'an absolute SSM path without a trailing slash, e.g. /wecom-contact/prod',
      )
      .optional(),
    /**
     * The corp id (企业ID). When set, the functions get it as an environment value (it is not secret) and
     * the stack creates no parameter, so nothing can conflict with a hand-made `<prefix>/corp-id`;
     * otherwise the functions read that parameter, which the operator puts next to the secret.
     * @default unset: read from `<prefix>/corp-id`
     * @example -c corpId=ww1234567890abcdef
     */
    corpId: z
      .string()
      .regex(/^[A-Za-z0-9]{1,64}$/, 'letters and digits, e.g. ww1234567890abcdef')
      .optional(),
    /**
     * An `app` credential (self-built app secret) is configured and takes the read operations.
     * @default false
     * @example -c appCredential=true
     */
    appCredential: bool.default(false),
    /**
     * `fixed-ip`: functions in a VPC whose NAT gateways have Elastic IPs (for WeCom's 企业可信IP).
     * @default 'default'
     * @example -c egress=fixed-ip
     */
    egress: z.enum(['default', 'fixed-ip']).default('default'),
    /**
     * NAT gateways (= Elastic IPs) with `egress: fixed-ip`; 2 survives the loss of one zone.
     * @default 1
     * @example -c natGateways=2
     */
    natGateways: z.coerce.number().int().min(1).max(2).default(1),
    /**
     * EventBridge Scheduler expression of the daily report, evaluated in Asia/Shanghai time.
     * @default 'cron(0 9 * * ? *)' (09:00 Beijing)
     * @example -c 'reportSchedule=cron(30 8 ? * MON-FRI *)'
     */
    reportSchedule: z
      .string()
      .regex(/^(cron|rate)\(.+\)$/, 'a Scheduler expression such as cron(0 9 * * ? *)')
      .default('cron(0 9 * * ? *)'),
    /**
     * The `<prefix>/report/webhook-url` SecureString exists: the report posts to that group robot.
     * @default false
     * @example -c reportWebhook=true
     */
    reportWebhook: bool.default(false),
    /**
     * An extra HTTP API with the same routes behind a JWT authoriser (OIDC issuer and audiences).
     * @default unset: IAM-authorised API only
     * @example -c 'jwt={"issuer":"https://login.example.com","audience":["members"]}'
     */
    jwt: json(
      z.object({
        issuer: z.url({ protocol: /^https$/ }),
        audience: z.array(z.string().min(1)).min(1),
      }),
    ).optional(),
    /**
     * Concurrent invocations per write queue (the event source mapping's maxConcurrency).
     * @default 4
     * @example -c writeConcurrency=8
     */
    writeConcurrency: z.coerce.number().int().min(2).max(50).default(4),
    /**
     * HTTP API throttling, applied to each route (each route is one WeCom API).
     * @default { rateLimit: 50, burstLimit: 100 }
     * @example -c 'apiThrottle={"rateLimit":20,"burstLimit":40}'
     */
    apiThrottle: json(
      z.object({
        rateLimit: z.number().positive(),
        burstLimit: z.number().int().positive(),
      }),
    ).default({ rateLimit: 50, burstLimit: 100 }),
    /**
     * Reserved concurrency of each endpoint function (a number), or `off` for none (accounts whose
     * concurrency quota is too small to reserve from). Default: what the route throttle needs while
     * requests take up to a second (cdk/concurrency.ts), instead of throttle × timeout when WeCom is slow.
     * @example -c reservedConcurrency=off
     */
    reservedConcurrency: z.union([z.literal('off'), z.coerce.number().int().min(1).max(1000)]).optional(),
    /**
     * Reserved concurrency of the two listing functions, whose `fetch_child=1` walks keep several WeCom
     * calls in flight; the default keeps their worst case under WeCom's per-API limit (docs/operations.md).
     * @example -c listingConcurrency=2
     */
    listingConcurrency: z.coerce.number().int().min(1).max(1000).optional(),
    /**
     * Departments one `fetch_child=1` request may walk (one WeCom call each) before it is refused.
     * @default DEFAULT_MAX_WALKED_DEPARTMENTS (call-budget.ts)
     * @example -c fetchChildMaxDepartments=500
     */
    fetchChildMaxDepartments: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(DEFAULT_MAX_WALKED_DEPARTMENTS),
    /**
     * X-Ray active tracing on every function (Lambda's own segments; no tracing code in the layer).
     * @default false
     * @example -c tracing=true
     */
    tracing: bool.default(false),
    /**
     * CloudWatch Logs retention of every log group.
     * @default 30 (RetentionDays.ONE_MONTH)
     * @example -c logRetentionDays=90
     */
    logRetentionDays: z.coerce
      .number()
      .refine(
        (days) => RETENTION_DAYS.has(days),
        'one of CloudWatch Logs retention values (1, 3, 5, 7, 14, 30, …)',
      )
      .default(RetentionDays.ONE_MONTH),
    /**
     * Alarm notifications go to a new SNS topic with this e-mail subscribed.
     * @default unset: no topic
     * @example -c alarmEmail=ops@example.com
     */
    alarmEmail: z.email().optional(),
    /**
     * Stack traces that name source files and lines: the layer ships its source map and every function
     * runs with NODE_OPTIONS=--enable-source-maps. Off by default: Node then reads a map of over a MiB
     * on each cold start, and the error's name and message (always logged) usually suffice.
     * @default false
     * @example -c sourceMaps=true
     */
    sourceMaps: bool.default(false),
    /**
     * Directory change events: read each created/updated member into the event (docs/events.md).
     * @default true
     * @example -c callbackEnrichment=false
     */
    callbackEnrichment: bool.default(true),
    /**
     * Days the event bus archive keeps directory change events for replays; 0 keeps them forever.
     * @default 365
     * @example -c eventArchiveRetentionDays=30
     */
    eventArchiveRetentionDays: z.coerce.number().int().min(0).default(365),
    /**
     * Publish the event schemas to the EventBridge schema registry (docs/events.md says why it is off).
     * @default false
     * @example -c eventSchemaRegistry=true
     */
    eventSchemaRegistry: bool.default(false),
    /**
     * Throttle of the unauthenticated callback route alone (WeCom sends a few per change).
     * @default { rateLimit: 20, burstLimit: 40 }
     * @example -c 'callbackThrottle={"rateLimit":5,"burstLimit":10}'
     */
    callbackThrottle: json(
      z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() }),
    ).default({ rateLimit: 20, burstLimit: 40 }),
    /**
     * The corp's seat cap (企业人数上限): with it, an alarm warns before userid lookups err on the 20 %
     * of the seats after which WeCom blocks them for the day (cdk/constructs/lookup-budget.ts).
     * @default unset: no lookup-budget alarm
     * @example -c corpSeats=500
     */
    corpSeats: z.coerce.number().int().min(1).optional(),
    /**
     * The share of `corpSeats` (percent, below WeCom's 20) at which that alarm fires.
     * @default 15
     * @example -c lookupMissAlarmPercent=10
     */
    lookupMissAlarmPercent: z.coerce.number().positive().max(20).default(15),
  })
  .transform(({ ssmPrefix, logRetentionDays, ...config }) => ({
    ...config,
    ssmPrefix: ssmPrefix ?? `/wecom-contact/${config.stage}`,
    logRetention: logRetentionDays as RetentionDays,
  }));

export type StackConfig = z.output<typeof contextSchema>;

export type ContextKey = keyof z.input<typeof contextSchema>;
export const CONTEXT_KEYS = Object.keys(contextSchema.in.shape) as readonly ContextKey[];

/** Reads every context key through `getContext` (e.g. `app.node.tryGetContext`); throws listing every bad key. */
export function readConfig(getContext: (key: string) => unknown): StackConfig {
  const context = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, getContext(key)]));
  const result = contextSchema.safeParse(context);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || '(context)'}: ${issue.message}`,
    );
    throw new Error(`Invalid CDK context:\n${problems.join('\n')}`);
  }
  return result.data;
}
