/**
 * The directory's tags (通讯录标签, docs/directory-admin.md): a name, the credential that created
 * it (only it may change the tag), and its members: members and whole departments. Members are kept
 * by lower-case userid with the case they were created with, as the directory keeps them.
 */
import { fail } from './envelope.ts';

/** Who created a tag: the contact-sync assistant, or an app by its agent id. */
export type TagOwner = 'contact' | number;

export interface TagRecord {
  readonly tagid: number;
  tagname: string;
  readonly owner: TagOwner;
  /** Lower-case userid → the userid as created. */
  readonly users: Map<string, string>;
  readonly parties: Set<number>;
}

/** At most 3000 tags per corp (WeCom's tag/create page; errcode list 40126). */
const MAX_TAGS = 3000;

export class TagBook {
  readonly #tags = new Map<number, TagRecord>();

  get(tagid: number): TagRecord | undefined {
    return this.#tags.get(tagid);
  }

  /** Every tag, by id. */
  list(): TagRecord[] {
    return [...this.#tags.values()].sort((a, b) => a.tagid - b.tagid);
  }

  byName(tagname: string): TagRecord | undefined {
    return this.list().find((tag) => tag.tagname === tagname);
  }

  /** Without `tagid`, the largest id so far plus one (tag/create: "以目前最大的id自增"). */
  create(tagname: string, owner: TagOwner, tagid?: number): TagRecord {
    if (this.#tags.size >= MAX_TAGS) fail(40126);
    const id = tagid ?? Math.max(0, ...this.#tags.keys()) + 1;
    const record: TagRecord = { tagid: id, tagname, owner, users: new Map(), parties: new Set() };
    this.#tags.set(id, record);
    return record;
  }

  delete(tagid: number): void {
    this.#tags.delete(tagid);
  }

  /** A deleted member leaves every tag. */
  forgetUser(userid: string): void {
    for (const tag of this.#tags.values()) tag.users.delete(userid.toLowerCase());
  }

  /** A deleted department leaves every tag (WeCom may then send no DelPartyItems: docs/events.md). */
  forgetParty(id: number): void {
    for (const tag of this.#tags.values()) tag.parties.delete(id);
  }
}
