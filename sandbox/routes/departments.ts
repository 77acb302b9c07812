/**
 * Department management: enough to build a tree (docs/architecture.md §3 needs department/simplelist),
 * and the update and delete an admin makes in WeCom's console (docs/directory-admin.md).
 */
import { ROOT_DEPARTMENT } from '../directory.ts';
import { fail } from '../envelope.ts';
import { charLength, optionalInteger, optionalString, queryInteger } from '../fields.ts';
import { type CorpState, defineRoutes } from './route.ts';

/** 1–64 characters, none of `\:*?"<>|`. */
const validDepartmentName = (name: string) =>
  charLength(name) >= 1 && charLength(name) <= 64 && !/[\\:*?"<>|]/.test(name);

/** A department name that is valid and not taken by another child of `parentid` (60125, 60008). */
function checkName(corp: CorpState, name: string, parentid: number, self?: number): void {
  if (!validDepartmentName(name)) fail(60125);
  const siblings = corp.directory.departments().filter((department) => department.parentid === parentid);
  if (siblings.some((sibling) => sibling.name === name && sibling.id !== self)) fail(60008);
}

export const departmentRoutes = defineRoutes({
  'department/simplelist': {
    method: 'GET',
    access: 'any',
    handle: ({ query, corp, caller, visibility }) => {
      const id = queryInteger(query, 'id');
      if (id !== undefined && !corp.directory.department(id)) fail(60123);
      if (id !== undefined && !visibility.seesDepartment(id)) fail(60011);
      const roots =
        id !== undefined
          ? [id]
          : caller.kind === 'app'
            ? (caller.app.visibleDepartments ?? [ROOT_DEPARTMENT])
            : [ROOT_DEPARTMENT];
      const ids = new Set(roots.flatMap((root) => corp.directory.subtree(root)));
      const department_id = [...ids].flatMap((departmentId) => {
        const department = corp.directory.department(departmentId);
        return department
          ? [{ id: department.id, parentid: department.parentid, order: department.order }]
          : [];
      });
      return { department_id };
    },
  },
  'department/create': {
    method: 'POST',
    access: 'contact',
    success: 'created',
    handle: ({ body, corp }) => {
      const name = optionalString(body.name, 60125);
      if (name === undefined || !validDepartmentName(name)) fail(60125);
      const parentid = optionalInteger(body.parentid, 'parentid');
      if (parentid === undefined || !corp.directory.department(parentid)) fail(60124);
      const id = optionalInteger(body.id, 'id') ?? corp.directory.nextDepartmentId();
      if (id <= ROOT_DEPARTMENT) fail(60123);
      checkName(corp, name, parentid);
      corp.directory.addDepartment({ id, name, parentid, order: optionalInteger(body.order, 'order') ?? 0 });
      return { id };
    },
  },
  'department/update': {
    method: 'POST',
    access: 'contact',
    success: 'updated',
    handle: ({ body, corp }) => {
      const id = optionalInteger(body.id, 'id');
      const department = id === undefined ? undefined : corp.directory.department(id);
      if (id === undefined || !department) fail(60123);
      const parentid = optionalInteger(body.parentid, 'parentid');
      if (parentid !== undefined && !corp.directory.department(parentid)) fail(60124);
      // Errcode list, 60010: the new parent may be neither the department nor one below it.
      if (parentid !== undefined && corp.directory.isWithin(parentid, id)) fail(60010);
      const name = optionalString(body.name, 60125);
      if (name !== undefined || parentid !== undefined)
        checkName(corp, name ?? department.name, parentid ?? department.parentid, id);
      const order = optionalInteger(body.order, 'order');
      corp.directory.updateDepartment(id, {
        ...(name !== undefined && { name }),
        ...(parentid !== undefined && { parentid }),
        ...(order !== undefined && { order }),
      });
      return {};
    },
  },
  'department/delete': {
    method: 'GET',
    access: 'contact',
    success: 'deleted',
    handle: ({ query, corp }) => {
      const id = queryInteger(query, 'id');
      if (id === undefined || !corp.directory.department(id)) fail(60123);
      // Errcode list: 60007 the root, 60006 a department with sub-departments, 60005 with members.
      if (id === ROOT_DEPARTMENT) fail(60007);
      if (corp.directory.departments().some((department) => department.parentid === id)) fail(60006);
      if (corp.directory.membersIn(id).length > 0) fail(60005);
      corp.directory.removeDepartment(id);
      return {};
    },
  },
});
