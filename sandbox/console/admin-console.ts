/**
 * The sandbox's "admin console": what an administrator does in WeCom's web console, followed by the
 * callback WeCom then sends. WeCom does not call back the sync assistant's own API edits, so the
 * product's routes never trigger a callback; this console does, like a human admin would.
 *
 * Every change goes through the sandbox's own API first (members, departments, tags), so the same
 * rules apply and the directory really changes; the callback carries the change as it was applied.
 */
import { type ConsoleSandbox, SandboxDirectoryApi } from './directory-changes.ts';
import { type ContactChange, changeMessage, type FieldSet } from './messages.ts';
import { CallbackSender, type CallbackTarget, type Delivery, type SenderOptions } from './sender.ts';

export { ConsoleChangeRefused, type ConsoleSandbox } from './directory-changes.ts';

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
  /** The change as the directory took it (e.g. the tag members really added), which the callback carries. */
  readonly applied: ContactChange;
  /** `not-called-back`: WeCom sends nothing for this change (with these fields). */
  readonly callback: 'delivered' | 'failed' | 'not-called-back' | 'url-not-verified';
  readonly delivery?: Delivery;
}

export class AdminConsole {
  private readonly sender: CallbackSender;
  private readonly directory: SandboxDirectoryApi;
  private readonly clock: () => number;
  private verified = false;

  constructor(private readonly options: AdminConsoleOptions) {
    this.sender = new CallbackSender(options.target, {
      ...options.sender,
      ...(options.clock && { clock: options.clock }),
    });
    this.directory = new SandboxDirectoryApi(options.sandbox);
    this.clock = options.clock ?? Date.now;
  }

  /** WeCom's URL check on save: the callback URL must answer the handshake. */
  verifyUrl(): Promise<boolean> {
    return this.sender.verifyUrl();
  }

  async apply(change: ContactChange): Promise<ConsoleResult> {
    const applied = await this.directory.apply(change);
    const message = changeMessage(applied, {
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
}
