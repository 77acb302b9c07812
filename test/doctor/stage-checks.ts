/**
 * The checks the doctor runs on a stage with the contact credential and the contact callback, in the
 * order it reports them (shared/src/doctor/checks.ts): the deployed doctor's tests and the Lambda
 * layout test expect the same list.
 */
export const CONTACT_STAGE_CHECKS = [
  'corp-id',
  'secret:contact',
  'callback:token',
  'callback:aes-key',
  'token:contact',
  'read:contact',
  'contact:contact',
] as const;
