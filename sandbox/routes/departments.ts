/** Enough department management to build a tree (wecom-api.md design §3 needs department/simplelist). */
import { ROOT_DEPARTMENT } from '../directory.ts';
import { fail } from '../envelope.ts';
import { charLength, optionalInteger, optionalString, queryInteger } from '../fields.ts';
import { defineRoutes } from './route.ts';

/** 1–64 characters, none of `\:*?"<>|`. */
const validDepartmentName = (name: string) =>
  charLength(name) >= 1 && charLength(name) <= 64 && !/[\\:*?"<>|]/.test(name);

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
      const siblings = corp.directory.departments().filter((department) => department.parentid === parentid);
      if (siblings.some((sibling) => sibling.name === name)) fail(60008);
      corp.directory.addDepartment({ id, name, parentid, order: optionalInteger(body.order, 'order') ?? 0 });
      return { id };
    },
  },
});
