import type { PageTextKey } from './pages.en.js';

/** The words of the server-rendered pages in Simplified Chinese: the keys and placeholders of pages.en.ts. */
export const zhCN = {
  'switch.label': '语言',

  'signedIn.title': '已登录 — {app}',
  'signedIn.heading': '已登录：{name}',
  'signedIn.you': '你',
  'signedIn.department': '部门',
  'signedIn.position': '职位',
  'signedIn.method': '登录方式',
  'signedIn.admin': '管理',
  'signedIn.signOut': '退出登录',

  'login.title': '登录 — {app}',
  'login.heading': '登录 {app}',
  'login.loading': '正在加载登录方式…',

  'admin.title': '管理 — {app}',
  'admin.heading': '管理 — {app}',
  'admin.home': '首页',
  'admin.elements': '元素',
  'admin.logins': '登录方式',
  'admin.loading': '加载中…',

  'failure.signIn': '登录失败',
  'failure.page': '无法显示此页面',
  'failure.code': '错误码 {code}',
  'failure.retry': '重试',
  'failure.home': '首页',
} as const satisfies { readonly [Key in PageTextKey]: string };
