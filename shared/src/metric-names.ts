/**
 * CloudWatch names shared by the layer (which emits) and the stack (which graphs and alarms). Plain
 * data: the CDK app imports it without loading the layer.
 */
export const METRICS = {
  /** Default namespace; the stack sets POWERTOOLS_METRICS_NAMESPACE to it. */
  namespace: 'WeComContact',
  /** The report's daily figure (unit Count, dimension `service`). */
  activeMembers: 'ActiveMembers',
  /** Token store (SSM) throttled or unreachable: tokens served from memory and gettoken. */
  tokenStoreDegraded: 'TokenStoreDegraded',
  /** A userid lookup by mobile or e-mail that WeCom refused for its value (lookups.ts). */
  lookupMisses: 'LookupMisses',
  /**
   * A gettoken failed (unit Count, dimension `class`: `credentials` — WeCom refused the corp id or
   * secret, an operator must act — or `transient` — WeCom busy or unreachable, the fleet backs off).
   */
  tokenRefreshFailed: 'TokenRefreshFailed',
} as const;
