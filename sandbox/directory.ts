/**
 * The in-memory directory: departments (a tree under the root, id 1) and members keyed by userid
 * case-insensitively while keeping the case they were created with (docs/wecom.md §3).
 */
import type { Member } from '../shared/src/wecom/apis.ts';
import { fail } from './envelope.ts';
import { TagBook } from './tags.ts';

export interface DepartmentRecord {
  id: number;
  name: string;
  parentid: number;
  order: number;
}

export type MemberStatus = 1 | 2 | 4 | 5;

export interface MemberRecord {
  /** The member as stored; `userid` keeps its original case. */
  member: Member & { status: MemberStatus };
  /** Creation order: WeCom breaks `order` ties by creation time. */
  readonly sequence: number;
  /** Has logged in with WeChat at least once (becomes true on activation); needed for an openid. */
  bound: boolean;
}

export const ROOT_DEPARTMENT = 1;
/** Where members without a department go (§3, current doc: 其他（待设置部门）). */
const PENDING_DEPARTMENT_NAME = '待设置部门';

const key = (userid: string) => userid.toLowerCase();

export class Directory {
  readonly #departments = new Map<number, DepartmentRecord>();
  readonly #members = new Map<string, MemberRecord>();
  #sequence = 0;
  #pendingDepartment: number | undefined;
  /** The corp creator's userid (cannot be deleted, 301005). */
  creator: string | undefined;
  readonly tags = new TagBook();

  constructor(rootName: string) {
    this.#departments.set(ROOT_DEPARTMENT, {
      id: ROOT_DEPARTMENT,
      name: rootName,
      parentid: 0,
      order: 100000000,
    });
  }

  department(id: number): DepartmentRecord | undefined {
    return this.#departments.get(id);
  }

  departments(): DepartmentRecord[] {
    return [...this.#departments.values()];
  }

  /** Adds a department under an existing parent; 60008 if the id is taken, 60124 for a bad parent. */
  addDepartment(department: DepartmentRecord): void {
    if (this.#departments.has(department.id)) fail(60008);
    if (!this.#departments.has(department.parentid)) fail(60124);
    this.#departments.set(department.id, { ...department });
  }

  /** Moves or renames a department; the caller checked the new parent (60124, 60010). */
  updateDepartment(id: number, changes: Partial<Omit<DepartmentRecord, 'id'>>): void {
    const department = this.#departments.get(id);
    if (department) Object.assign(department, changes);
  }

  /** Removes a department with no members and no sub-departments (the caller checked: 60005, 60006). */
  removeDepartment(id: number): void {
    this.#departments.delete(id);
    this.tags.forgetParty(id);
    if (this.#pendingDepartment === id) this.#pendingDepartment = undefined;
  }

  nextDepartmentId(): number {
    return Math.max(...this.#departments.keys()) + 1;
  }

  /** The department (pre-order, siblings by `order` descending then id) and everything under it. */
  subtree(id: number): number[] {
    const children = new Map<number, DepartmentRecord[]>();
    for (const department of this.#departments.values()) {
      if (department.id === ROOT_DEPARTMENT) continue;
      const siblings = children.get(department.parentid) ?? [];
      siblings.push(department);
      children.set(department.parentid, siblings);
    }
    const ids: number[] = [];
    const visit = (current: number) => {
      ids.push(current);
      const below = (children.get(current) ?? []).sort((a, b) => b.order - a.order || a.id - b.id);
      for (const child of below) visit(child.id);
    };
    if (this.#departments.has(id)) visit(id);
    return ids;
  }

  /** Whether `id` is `ancestor` or lies below it. */
  isWithin(id: number, ancestor: number): boolean {
    let current = this.#departments.get(id);
    for (let depth = 0; current && depth <= this.#departments.size; depth++) {
      if (current.id === ancestor) return true;
      current = this.#departments.get(current.parentid);
    }
    return false;
  }

  /** The 待设置部门 department, created under the root the first time a member needs it. */
  pendingDepartment(): number {
    if (this.#pendingDepartment === undefined) {
      this.#pendingDepartment = this.nextDepartmentId();
      this.addDepartment({
        id: this.#pendingDepartment,
        name: PENDING_DEPARTMENT_NAME,
        parentid: ROOT_DEPARTMENT,
        order: 0,
      });
    }
    return this.#pendingDepartment;
  }

  member(userid: string): MemberRecord | undefined {
    return this.#members.get(key(userid));
  }

  /** Every member, in creation order. */
  members(): MemberRecord[] {
    return [...this.#members.values()];
  }

  insert(member: MemberRecord['member'], bound = member.status === 1): MemberRecord {
    const record: MemberRecord = { member, sequence: this.#sequence++, bound };
    this.#members.set(key(member.userid), record);
    return record;
  }

  remove(userid: string): void {
    this.#members.delete(key(userid));
    this.tags.forgetUser(userid);
  }

  setStatus(record: MemberRecord, status: MemberStatus): void {
    record.member.status = status;
    record.member.enable = status === 2 ? 0 : 1;
    if (status === 1) record.bound = true;
  }

  /** Members of one department, as WeCom lists them: larger `order` first, then creation order. */
  membersIn(departmentId: number): MemberRecord[] {
    const orderIn = (record: MemberRecord) => {
      const index = record.member.department?.indexOf(departmentId) ?? -1;
      return record.member.order?.[index] ?? 0;
    };
    return this.members()
      .filter((record) => record.member.department?.includes(departmentId))
      .sort((a, b) => orderIn(b) - orderIn(a) || a.sequence - b.sequence);
  }
}
