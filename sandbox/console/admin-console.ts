/**
 * The sandbox's "admin console": what an administrator does in WeCom's web console, followed by the
 * callback WeCom then sends. WeCom does not call back the sync assistant's own API edits, so the
 * product's routes never trigger a callback; this console does, like a human admin would.
 *
 * Members (create, update, delete) and department creation go through the sandbox's own API, so the
 * same rules apply and the directory changes. The sandbox keeps no tags and has no department update
 * or delete: those changes are sent as callbacks only (`applied: 'event-only'`).
 */
import { type ContactChange, changeMessage, type FieldSet } from './messages.ts';
import { CallbackSender, type CallbackTarget, type Delivery, type SenderOptions } from './sender.ts';

export interface ConsoleSandbox {
  readonly url: string;
  readonly corpId: string;
  readonly contactSecret: string;
}

export interface AdminConsoleOptions {
  readonly sandbox: ConsoleSandbox;
  readonly target: CallbackTarget;
  /** @default 'minimal' (callback URLs configured after 2022-08-15) */
  readonly fields?: FieldSet;
  readonly sender?: SenderOptions;
  readonly clock?: () => number;
}

export interface ConsoleResult {
  readonly change: ContactChange['kind'];
  readonly applied: 'directory' | 'event-only';
  /** `not-called-back`: WeCom sends nothing for this change with minimal fields. */
  readonly callback: 'delivered' | 'failed' | 'not-called-back' | 'url-not-verified';
  readonly delivery?: Delivery;
}

/** The sandbox refused the change (its errcode): nothing was called back. */
export class ConsoleChangeRefused extends Error {
  override readonly name = 'ConsoleChangeRefused';
  constructor(
    readonly errcode: number,
    errmsg: string,
  ) {
    super(`The sandbox refused the change: errcode ${errcode} (${errmsg})`);
  }
}

export class AdminConsole {
  private readonly sender: CallbackSender;
  private readonly clock: () => number;
  private verified = false;

  constructor(private readonly options: AdminConsoleOptions) {
    this.sender = new CallbackSender(options.target, {
      ...options.sender,
      ...(options.clock && { clock: options.clock }),
    });
    this.clock = options.clock ?? Date.now;
  }

  /** WeCom's URL check on save: the callback URL must answer the handshake. */
  verifyUrl(): Promise<boolean> {
    return this.sender.verifyUrl();
  }

  async apply(change: ContactChange): Promise<ConsoleResult> {
    const applied = await this.applyToDirectory(change);
    const message = changeMessage(change, {
      corpId: this.options.target.corpId,
      createTime: Math.floor(this.clock() / 1000),
      fields: this.options.fields ?? 'minimal',
    });
    if (message === undefined) return { change: change.kind, applied, callback: 'not-called-back' };
    // WeCom saves a callback URL only once it answered the handshake; until then it sends nothing.
    this.verified ||= await this.verifyUrl().catch(() => false);
    if (!this.verified) return { change: change.kind, applied, callback: 'url-not-verified' };
    const delivery = await this.sender.deliver(message);
    return { change: change.kind, applied, callback: delivery.delivered ? 'delivered' : 'failed', delivery };
  }

  private async applyToDirectory(change: ContactChange): Promise<ConsoleResult['applied']> {
    switch (change.kind) {
      case 'create_user':
        await this.call('POST', 'user/create', change.member);
        return 'directory';
      case 'update_user':
        await this.call('POST', 'user/update', { ...change.changes, userid: change.userid });
        return 'directory';
      case 'delete_user':
        await this.call('GET', 'user/delete', { userid: change.userid });
        return 'directory';
      case 'create_party':
        await this.call('POST', 'department/create', {
          id: change.id,
          name: change.name,
          parentid: change.parentid,
          ...(change.order !== undefined && { order: change.order }),
        });
        return 'directory';
      default:
        return 'event-only';
    }
  }

  private async call(method: 'GET' | 'POST', api: string, request: object): Promise<void> {
    const { url, corpId, contactSecret } = this.options.sandbox;
    const token = await answer(
      await fetch(
        `${url}/cgi-bin/gettoken?${new URLSearchParams({ corpid: corpId, corpsecret: contactSecret })}`,
      ),
    );
    const query = new URLSearchParams({ access_token: String(token.access_token) });
    if (method === 'GET') for (const [name, value] of Object.entries(request)) query.set(name, String(value));
    await answer(
      await fetch(`${url}/cgi-bin/${api}?${query}`, {
        method,
        ...(method === 'POST' && {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
        }),
      }),
    );
  }
}

async function answer(response: Response): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  const errcode = Number(body.errcode ?? 0);
  if (errcode !== 0) throw new ConsoleChangeRefused(errcode, String(body.errmsg ?? ''));
  return body;
}
