/**
 * The demo directory of `npm start` and `npm run sandbox`: a small company with a three-level
 * department tree and members in every status, so that each route has something to show.
 */
import type { Member } from '../shared/src/wecom/apis.ts';
import type { MemberStatus } from './directory.ts';

export const DEMO_COMPANY = '示例科技有限公司';

export const DEMO_DEPARTMENTS = [
  { id: 2, name: '研发中心', parentid: 1, order: 300 },
  { id: 3, name: '前端组', parentid: 2, order: 200 },
  { id: 4, name: '后端组', parentid: 2, order: 100 },
  { id: 5, name: '市场部', parentid: 1, order: 200 },
  { id: 6, name: '人力资源部', parentid: 1, order: 100 },
];

/** Fictional people; mobiles in the 138 0000 00xx block, addresses under example.com. */
export const DEMO_MEMBERS: ReadonlyArray<{ member: Member; status: MemberStatus }> = [
  {
    status: 1,
    member: {
      userid: 'zhangsan',
      name: '张三',
      position: '首席执行官',
      department: [1],
      is_leader_in_dept: [1],
      mobile: '+86 13800000001',
      email: 'zhangsan@example.com',
      gender: '1',
    },
  },
  {
    status: 1,
    member: {
      userid: 'lisi',
      name: '李四',
      position: '研发总监',
      department: [2],
      is_leader_in_dept: [1],
      direct_leader: ['zhangsan'],
      mobile: '13800000002',
      email: 'lisi@example.com',
      gender: '2',
    },
  },
  {
    status: 1,
    member: {
      userid: 'wangwu',
      name: '王五',
      position: '前端工程师',
      department: [3],
      direct_leader: ['lisi'],
      mobile: '13800000003',
      alias: 'Will',
      gender: '1',
    },
  },
  {
    status: 4,
    member: {
      userid: 'ZhaoLiu',
      name: '赵六',
      position: '后端工程师',
      department: [4, 3],
      order: [10, 0],
      direct_leader: ['lisi'],
      email: 'zhaoliu@example.com',
      telephone: '010-12345678',
    },
  },
  {
    status: 2,
    member: {
      userid: 'sunqi',
      name: '孙七',
      position: '市场经理',
      department: [5],
      mobile: '13800000005',
      address: '北京市海淀区示例路 1 号',
    },
  },
  {
    status: 4,
    member: {
      userid: 'zhouba',
      name: '周八',
      position: '招聘专员',
      department: [6],
      email: 'zhouba@example.com',
    },
  },
];

/** The corp creator in the demo directory (user/delete answers 301005 for them). */
export const DEMO_CREATOR = 'zhangsan';
