/**
 * What an operator does about each failure the doctor can meet, as the exact command or console step
 * (docs/operations.md, "Doctor"). Parameter names are the stage's own; secrets appear only as
 * placeholders.
 */

import type { CredentialName } from '../credential-roles.ts';
import { reportedIp } from '../error-mapping.ts';
import { parameterNames } from '../stage-names.ts';

const SECRET_KIND: Record<CredentialName, string> = {
  contact: 'the contact-sync (通讯录同步) secret',
  app: "the self-built app's secret",
};

export function putParameter(name: string, value: string, secure: boolean, overwrite = false): string {
  const type = secure ? 'SecureString' : 'String';
  return `aws ssm put-parameter --name '${name}' --type ${type}${overwrite ? ' --overwrite' : ''} --value '<${value}>'`;
}

export const putCorpId = (prefix: string, overwrite = false) =>
  `${putParameter(parameterNames(prefix).corpId, 'corp id (企业ID)', false, overwrite)}\n(or deploy with -c corpId=<corp id>)`;

export const putSecret = (prefix: string, credential: CredentialName, overwrite = false) =>
  putParameter(parameterNames(prefix).secret(credential), SECRET_KIND[credential], true, overwrite);

export const putWebhook = (prefix: string) =>
  putParameter(parameterNames(prefix).reportWebhookUrl, "group robot's webhook URL", true);

const TRUSTED_IP_STEP = (ip: string) =>
  `add ${ip} to 企业可信IP (WeCom admin console → 应用管理 → the app → 企业可信IP)\n` +
  "Lambda's own egress IPs change: deploy with -c egress=fixed-ip and add the EgressIp outputs instead";

/**
 * The fix for a WeCom errcode met by `credential` calling `api`, or undefined for one without a fix.
 * `corpId`: the corp id the stack set (the `corpId` context key), which then is what to correct.
 */
export function fixForErrcode(
  { prefix, corpId }: { readonly prefix: string; readonly corpId?: string },
  credential: CredentialName,
  api: string,
  errcode: number,
  errmsg: string,
): string | undefined {
  switch (errcode) {
    case 40001:
    case 40091:
    case 41004:
      return `WeCom refused the ${credential} secret: put the right one\n${putSecret(prefix, credential, true)}`;
    case 40013:
    case 41002:
      return corpId === undefined
        ? `WeCom refused the corp id: put the right one\n${putCorpId(prefix, true)}`
        : `WeCom refused the corp id ${corpId} of the corpId context: deploy again with -c corpId=<the right corp id>`;
    case 60020:
      return TRUSTED_IP_STEP(reportedIp(errmsg) ?? "the functions' egress IP");
    case 48009:
      return (
        `the contact-sync secret may not read members from ${reportedIp(errmsg) ?? 'this IP'}: configure the app credential\n` +
        `${putSecret(prefix, 'app')}\nthen deploy with -c appCredential=true`
      );
    case 48002:
      return credential === 'contact'
        ? `WeCom does not allow the contact secret to call ${api}: use the contact-sync (通讯录同步) secret with API sync enabled (管理工具 → 通讯录同步 → API 接口同步)\n${putSecret(prefix, 'contact', true)}`
        : `WeCom does not allow the app to call ${api}: give the app the contact read permission (应用管理 → the app → 通讯录 / 可见范围)`;
    case 60011:
      return 'the credential sees no department: widen its visible range (可见范围) in the WeCom admin console';
    case 40014:
    case 42001:
      return `WeCom keeps refusing fresh tokens: check that nothing else resets the ${credential} secret`;
    default:
      return undefined;
  }
}
