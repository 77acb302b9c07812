/**
 * `Sandbox.directory`: how tests arrange and inspect the directory without the API (and without
 * touching the counters). Reads are copies; members go in through the same rules as user/create.
 */
import type { Member } from '../shared/src/wecom/apis.ts';
import type { Directory, MemberStatus } from './directory.ts';
import { commitCreate, planCreate } from './member-rules.ts';
import { DEMO_CREATOR, DEMO_DEPARTMENTS, DEMO_MEMBERS } from './seed.ts';
import type { Sandbox } from './types.ts';

/** The test-facing view of the directory: copies out, the same rules in. */
export function arrangeDirectory(directory: Directory): Sandbox['directory'] {
  const existing = (userid: string) => {
    const record = directory.member(userid);
    if (!record) throw new Error(`no member ${userid} in the sandbox directory`);
    return record;
  };
  return {
    member: (userid) => {
      const record = directory.member(userid);
      return record && structuredClone(record.member);
    },
    members: () => directory.members().map((record) => structuredClone(record.member)),
    departments: () => directory.departments().map((department) => ({ ...department })),
    addDepartment: ({ id, name, parentid, order = 0 }) =>
      directory.addDepartment({ id, name, parentid, order }),
    setStatus: (userid, status) => directory.setStatus(existing(userid), status),
    get creator() {
      return directory.creator;
    },
    setCreator: (userid) => {
      directory.creator = existing(userid).member.userid;
    },
    addMember: (member: Member, status: MemberStatus = 4) => {
      commitCreate(planCreate({ ...member }, directory), directory);
      directory.setStatus(existing(member.userid), status);
    },
    addMembersInBulk: (members) => {
      for (const member of members) {
        if (directory.member(member.userid)) throw new Error(`member ${member.userid} exists`);
        const unknown = member.department.find((id) => !directory.department(id));
        if (unknown !== undefined) throw new Error(`no department ${unknown} in the sandbox directory`);
        directory.insert({ ...structuredClone(member), status: 1, enable: 1 });
      }
    },
  };
}

export function seedDemo(access: Sandbox['directory']): void {
  for (const department of DEMO_DEPARTMENTS) access.addDepartment(department);
  for (const { member, status } of DEMO_MEMBERS) access.addMember(member, status);
  access.setCreator(DEMO_CREATOR);
}
