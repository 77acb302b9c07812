/**
 * The conventional user-get Lambda (handler.ts), configured from its environment as a team would:
 * parameter names and WeCom's URL in variables, values through Powertools' `getParameter`.
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { createConventionalHandler } from './handler.ts';

const variable = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

export const handler = createConventionalHandler({
  readParameter: (name, decrypt) => getParameter(name, { decrypt }),
  corpIdParameter: variable('CORP_ID_PARAMETER'),
  secretParameter: variable('SECRET_PARAMETER'),
  baseUrl: variable('WECOM_BASE_URL'),
});
