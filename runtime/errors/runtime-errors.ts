import { codesOf, defineCodes } from './code-catalogue.js';

/**
 * Codes the runtime raises itself, 10001–10099 (the HTTP layer's are 10401–10500, auth's 40030/40301;
 * an element declares its own in its folder).
 */
export const RuntimeErrors = defineCodes('runtime', {
  /** `suggestion` is empty or " Did you mean …?". */
  ELEMENT_NOT_FOUND: { code: 10001, status: 404, message: 'Element "{id}" does not exist in app "{app}".{suggestion}', zh: '应用“{app}”中没有元素“{id}”。{suggestion}' },
  INVALID_ELEMENT_ID: { code: 10002, status: 404, message: '"{id}" is not an element id; ids are dotted names such as crm.leads.WebForm.', zh: '“{id}”不是元素 ID；元素 ID 是以点分隔的名称，例如 crm.leads.WebForm。' },
  ELEMENT_QUARANTINED: { code: 10003, status: 503, message: 'Element "{id}" failed to load: {problems}', zh: '元素“{id}”加载失败：{problems}' },
  APP_INVALID: { code: 10004, status: 400, message: 'App {dir} has {count} problem(s):\n{problems}', zh: '应用 {dir} 有 {count} 个问题：\n{problems}' },
  INSTANCE_CREATE_FAILED: { code: 10005, status: 503, message: 'Creating "{id}" failed: {cause}', zh: '创建“{id}”失败：{cause}' },
  APP_CLOSED: { code: 10006, status: 503, message: 'App "{app}" is closed.', zh: '应用“{app}”已关闭。' },
  DATABASE_UNAVAILABLE: { code: 10007, status: 503, message: 'Cannot open the database at {where}: {cause}', zh: '无法打开位于 {where} 的数据库：{cause}' },
  /** A parameter, option or variable is missing or malformed: `problem` says which and what would do. */
  INVALID_PARAMS: { code: 10008, status: 400, message: '{problem}', zh: '参数无效：{problem}' },
  SCHEMA_OUTDATED: { code: 10009, status: 503, message: 'The database at {where} is behind the models: {problem}', zh: '位于 {where} 的数据库落后于模型：{problem}' },
  /** Another process holds the lease for this work: `problem` names the work and when to try again. */
  BUSY: { code: 10010, status: 409, message: '{problem}', zh: '正忙：{problem}' },
});

/** The numbers, for `err.code === RuntimeCodes.BUSY` (part of the public API, like `Code`). */
export const RuntimeCodes = codesOf(RuntimeErrors);
