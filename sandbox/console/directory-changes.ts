/**
 * An admin console change applied to the sandbox directory through the sandbox's own API (contact-sync
 * token), so every WeCom rule applies (a department with members cannot be deleted: 60005). The
 * answer is the change as the directory took it, which is what the callback then carries: the tag
 * members actually added or removed, a parent id only when the department really moved.
 */
import type { ContactChange } from './messages.ts';

export interface ConsoleSandbox {
  readonly url: string;
  readonly corpId: string;
  readonly contactSecret: string;
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

type Answer = Record<string, unknown>;
type TagMembers = { userlist: Array<{ userid: string }>; partylist: number[] };

const without = <T>(list: readonly T[], removed: readonly T[]) =>
  list.filter((item) => !removed.includes(item));
const nonEmpty = <T>(list: readonly T[] | undefined): list is readonly T[] => (list?.length ?? 0) > 0;

export class SandboxDirectoryApi {
  constructor(private readonly sandbox: ConsoleSandbox) {}

  /** Applies `change`; throws ConsoleChangeRefused with the sandbox's errcode. */
  async apply(change: ContactChange): Promise<ContactChange> {
    switch (change.kind) {
      case 'create_user':
        await this.call('POST', 'user/create', change.member);
        return change;
      case 'update_user':
        await this.call('POST', 'user/update', { ...change.changes, userid: change.userid });
        return change;
      case 'delete_user':
        await this.call('GET', 'user/delete', { userid: change.userid });
        return change;
      case 'create_party': {
        const { kind: _, ...department } = change;
        await this.call('POST', 'department/create', department);
        return change;
      }
      case 'update_party':
        return this.updateParty(change);
      case 'delete_party':
        await this.call('GET', 'department/delete', { id: change.id });
        return change;
      case 'create_tag': {
        const answer = await this.call('POST', 'tag/create', {
          tagname: change.tagname,
          ...(change.tagid !== undefined && { tagid: change.tagid }),
        });
        return { ...change, tagid: Number(answer.tagid) };
      }
      case 'update_tag':
        return this.updateTag(change);
    }
  }

  private async updateParty(
    change: Extract<ContactChange, { kind: 'update_party' }>,
  ): Promise<ContactChange> {
    const listed = await this.call('GET', 'department/simplelist', { id: change.id });
    const before = (listed.department_id as Array<{ id: number; parentid: number }>).find(
      (department) => department.id === change.id,
    );
    const { kind: _, ...update } = change;
    await this.call('POST', 'department/update', update);
    const moved = change.parentid !== undefined && change.parentid !== before?.parentid;
    return { ...change, parentid: moved ? change.parentid : undefined };
  }

  private async updateTag(change: Extract<ContactChange, { kind: 'update_tag' }>): Promise<ContactChange> {
    const members = async () => {
      const { userlist, partylist } = (await this.call('GET', 'tag/get', {
        tagid: change.tagid,
      })) as TagMembers;
      return { users: userlist.map(({ userid }) => userid), parties: partylist };
    };
    const before = await members();
    const edit = (users: readonly string[] | undefined, parties: readonly number[] | undefined) => ({
      tagid: change.tagid,
      ...(nonEmpty(users) && { userlist: users }),
      ...(nonEmpty(parties) && { partylist: parties }),
    });
    if (nonEmpty(change.addUsers) || nonEmpty(change.addParties))
      await this.call('POST', 'tag/addtagusers', edit(change.addUsers, change.addParties));
    if (nonEmpty(change.delUsers) || nonEmpty(change.delParties))
      await this.call('POST', 'tag/deltagusers', edit(change.delUsers, change.delParties));
    const after = await members();
    return {
      kind: 'update_tag',
      tagid: change.tagid,
      addUsers: without(after.users, before.users),
      delUsers: without(before.users, after.users),
      addParties: without(after.parties, before.parties),
      delParties: without(before.parties, after.parties),
    };
  }

  private async call(method: 'GET' | 'POST', api: string, request: object): Promise<Answer> {
    const { url, corpId, contactSecret } = this.sandbox;
    const token = await answer(
      await fetch(
        `${url}/cgi-bin/gettoken?${new URLSearchParams({ corpid: corpId, corpsecret: contactSecret })}`,
      ),
    );
    const query = new URLSearchParams({ access_token: String(token.access_token) });
    if (method === 'GET') for (const [name, value] of Object.entries(request)) query.set(name, String(value));
    return answer(
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

async function answer(response: Response): Promise<Answer> {
  const body = (await response.json()) as Answer;
  const errcode = Number(body.errcode ?? 0);
  if (errcode !== 0) throw new ConsoleChangeRefused(errcode, String(body.errmsg ?? ''));
  return body;
}
