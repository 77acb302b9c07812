/**
 * The operator's check of a deployed stage (docs/operations.md, "Doctor"): no route, invoked by hand.
 * Plain data for the build and the stack: importing it loads nothing else.
 */
export const DOCTOR_FUNCTION = {
  id: 'doctor',
  summary:
    "Checks the stage from inside: parameters, tokens, WeCom's trusted IP and permissions, dead letters",
} as const;
