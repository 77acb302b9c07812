/**
 * change_contact messages as WeCom sends them (field lists of docs/events.md; CDATA and bare text mixed
 * as in WeCom's samples), with the detail each must become.
 */
const header = (changeType: string, event = 'change_contact') =>
  `<ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event>${
    event === 'change_contact' ? `<ChangeType>${changeType}</ChangeType>` : ''
  }`;
const common = (changeType: string) => ({
  corpId: 'ww0123456789abcdef',
  changeType,
  createTime: '2023-11-14T22:13:20.000Z',
});

export interface Sample {
  readonly name: string;
  readonly detailType: string;
  readonly xml: string;
  readonly detail: Record<string, unknown>;
}

export const SAMPLES: readonly Sample[] = [
  {
    name: 'create_user, full fields',
    detailType: 'Member created',
    xml: `<xml>${header('create_user')}<UserID><![CDATA[zhangsan]]></UserID><Name><![CDATA[张三]]></Name><Department><![CDATA[1,2,3]]></Department><MainDepartment>1</MainDepartment><IsLeaderInDept><![CDATA[1,0,0]]></IsLeaderInDept><DirectLeader><![CDATA[lisi,wangwu]]></DirectLeader><Position><![CDATA[产品经理]]></Position><Mobile>13800000000</Mobile><Gender>1</Gender><Email><![CDATA[zhangsan@gzdev.com]]></Email><BizMail><![CDATA[zhangsan@qyycs2.wecom.work]]></BizMail><Status>1</Status><Avatar><![CDATA[http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0]]></Avatar><Alias><![CDATA[jackzhang]]></Alias><Telephone><![CDATA[020-123456]]></Telephone><Address><![CDATA[广州市]]></Address><ExtAttr><Item><Name><![CDATA[爱好]]></Name><Type>0</Type><Text><Value><![CDATA[旅游]]></Value></Text></Item><Item><Name><![CDATA[卡号]]></Name><Type>1</Type><Web><Title><![CDATA[企业微信]]></Title><Url><![CDATA[https://work.weixin.qq.com]]></Url></Web></Item></ExtAttr></xml>`,
    detail: {
      ...common('create_user'),
      UserID: 'zhangsan',
      Name: '张三',
      Department: [1, 2, 3],
      MainDepartment: 1,
      IsLeaderInDept: [1, 0, 0],
      DirectLeader: ['lisi', 'wangwu'],
      Position: '产品经理',
      Mobile: '13800000000',
      Gender: 1,
      Email: 'zhangsan@gzdev.com',
      BizMail: 'zhangsan@qyycs2.wecom.work',
      Status: 1,
      Avatar:
        'http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0',
      Alias: 'jackzhang',
      Telephone: '020-123456',
      Address: '广州市',
      ExtAttr: [
        { Name: '爱好', Type: 0, Text: { Value: '旅游' } },
        { Name: '卡号', Type: 1, Web: { Title: '企业微信', Url: 'https://work.weixin.qq.com' } },
      ],
    },
  },
  {
    name: 'create_user, minimal fields (after 2022-08-15)',
    detailType: 'Member created',
    xml: `<xml>${header('create_user')}<UserID><![CDATA[zhangsan]]></UserID><Department><![CDATA[2]]></Department></xml>`,
    detail: { ...common('create_user'), UserID: 'zhangsan', Department: [2] },
  },
  {
    name: 'update_user with NewUserID',
    detailType: 'Member updated',
    xml: `<xml>${header('update_user')}<UserID>zhangsan</UserID><NewUserID>zhangsan001</NewUserID><Department>1,2</Department></xml>`,
    detail: { ...common('update_user'), UserID: 'zhangsan', NewUserID: 'zhangsan001', Department: [1, 2] },
  },
  {
    name: 'delete_user',
    detailType: 'Member deleted',
    xml: `<xml>${header('delete_user')}<UserID><![CDATA[zhangsan]]></UserID></xml>`,
    detail: { ...common('delete_user'), UserID: 'zhangsan' },
  },
  {
    name: 'create_party',
    detailType: 'Department created',
    xml: `<xml>${header('create_party')}<Id>2</Id><Name><![CDATA[张三]]></Name><ParentId><![CDATA[1]]></ParentId><Order>1</Order></xml>`,
    detail: { ...common('create_party'), Id: 2, Name: '张三', ParentId: 1, Order: 1 },
  },
  {
    name: 'update_party',
    detailType: 'Department updated',
    xml: `<xml>${header('update_party')}<Id>2</Id><ParentId><![CDATA[1]]></ParentId></xml>`,
    detail: { ...common('update_party'), Id: 2, ParentId: 1 },
  },
  {
    name: 'delete_party',
    detailType: 'Department deleted',
    xml: `<xml>${header('delete_party')}<Id>2</Id></xml>`,
    detail: { ...common('delete_party'), Id: 2 },
  },
  {
    name: 'update_tag',
    detailType: 'Tag members changed',
    xml: `<xml>${header('update_tag')}<TagId>1</TagId><AddUserItems><![CDATA[zhangsan,lisi]]></AddUserItems><DelUserItems><![CDATA[zhangsan1,lisi1]]></DelUserItems><AddPartyItems><![CDATA[1,2]]></AddPartyItems><DelPartyItems><![CDATA[]]></DelPartyItems></xml>`,
    detail: {
      ...common('update_tag'),
      TagId: 1,
      AddUserItems: ['zhangsan', 'lisi'],
      DelUserItems: ['zhangsan1', 'lisi1'],
      AddPartyItems: [1, 2],
      DelPartyItems: [],
    },
  },
  {
    name: 'batch_job_result',
    detailType: 'Batch job finished',
    xml: `<xml>${header('', 'batch_job_result')}<BatchJob><JobId><![CDATA[S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4]]></JobId><JobType><![CDATA[sync_user]]></JobType><ErrCode>0</ErrCode><ErrMsg><![CDATA[ok]]></ErrMsg></BatchJob></xml>`,
    detail: {
      ...common('batch_job_result'),
      BatchJob: {
        JobId: 'S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4',
        JobType: 'sync_user',
        ErrCode: 0,
        ErrMsg: 'ok',
      },
    },
  },
];
