/** Construct ids derive from the operation table's ids, so logical ids stay stable: `user-get` → `UserGet`. */
export const constructId = (functionId: string): string =>
  functionId.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
