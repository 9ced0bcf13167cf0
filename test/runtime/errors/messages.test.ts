import { describe, expect, test } from '@jest/globals';
import { AuthCodes, AuthErrors } from '../../../runtime/auth/auth-errors.js';
import { Code, declaredCodes, defineCodes, messageIn, phrase, RuntimeCodes, RuntimeErrors } from '../../../runtime/errcode.js';
import { HttpCodes, HttpErrors } from '../../../runtime/http/http-errors.js';
import { FSInnerCodes, FSInnerErrors, fromFeishu } from '../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import { FSInnerEventCodes, FSInnerEventErrors } from '../../../elements/auths/loginTypes/FSInnerType/events/errors.js';

/** Every catalogue of the repository (grep defineCodes): each Code must speak both languages. */
const CATALOGUES = { RuntimeErrors, HttpErrors, AuthErrors, FSInnerErrors, FSInnerEventErrors };

const placeholders = (template: string): string[] => [...new Set([...template.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!))].sort();

describe('every Code has a Chinese message', () => {
  test('in every catalogue, with exactly the placeholders of the English one, in Chinese', () => {
    const definitions = Object.values(CATALOGUES).flatMap((catalogue) => Object.values(catalogue));
    expect(definitions.length).toBeGreaterThan(30);
    const wrong = definitions.filter((d) => d.zh === undefined || !/[\u4e00-\u9fff]/.test(d.zh) || placeholders(d.zh).join() !== placeholders(d.message).join());
    expect(wrong.map((d) => `${d.namespace}.${d.name}`)).toEqual([]);
  });

  test('so does every Code declared once these catalogues are loaded (none is missed by the list above)', () => {
    const missing = declaredCodes().filter((d) => !d.namespace.startsWith('test.') && d.zh === undefined);
    expect(missing.map((d) => `${d.namespace}.${d.name}`)).toEqual([]);
  });

  test('a zh whose placeholders differ from the English ones is refused when the catalogue is declared', () => {
    expect(() => defineCodes('test.zh', { BAD: { code: 91101, status: 400, message: 'No {what} in {where}.', zh: '{where}中没有{thing}。' } })).toThrow(/placeholders of the English one \(what, where\), not thing, where/);
    expect(() => defineCodes('test.zh', { OK: { code: 91102, status: 400, message: 'No {what} in {where}.', zh: '{where}中没有{what}。' } })).not.toThrow();
  });
});

describe('messageIn: the message in a language, the Code unchanged', () => {
  test("a created Code keeps English in error.message and its parameters for the other language (never in JSON)", () => {
    const error = AuthErrors.INVALID_STATE.create({ why: 'it expired' });
    expect(error.message).toBe('Login state rejected: it expired. Start the login again.');
    expect(messageIn(error, 'en')).toBe(error.message);
    expect(messageIn(error, 'zh-CN')).toBe('登录状态无效：it expired。请重新登录。');
    expect(error.code).toBe(AuthCodes.INVALID_STATE);
    expect(error.toJSON()).toEqual({ code: AuthCodes.INVALID_STATE, message: error.message });
    expect(JSON.stringify(error)).not.toContain('it expired"');
  });

  test('a phrase parameter follows the language; a plain one stays as given', () => {
    const error = HttpErrors.METHOD_NOT_FOUND.create({ problem: phrase('Not found.', '没有这个地址。') });
    expect([error.message, messageIn(error, 'zh-CN')]).toEqual(['Not found.', '未找到：没有这个地址。']);
    expect(messageIn(HttpErrors.TOO_MANY_REQUESTS.create({ seconds: 30 }), 'zh-CN')).toBe('登录尝试过于频繁，请 30 秒后再试。');
    expect(messageIn(HttpErrors.NOT_SIGNED_IN.create({}), 'zh-CN')).toBe('请先登录。');
  });

  test('a Code made with new Code(number, text) has its parameters read back out of the English text', () => {
    const direct = new Code(RuntimeCodes.INVALID_PARAMS, 'fullName must be a string.');
    expect(messageIn(direct, 'zh-CN')).toBe('参数无效：fullName must be a string.');
    // Text that is not the template's (or an undeclared number) stays English rather than guessing.
    expect(messageIn(new Code(AuthCodes.INVALID_STATE, 'something else'), 'zh-CN')).toBe('something else');
    expect(messageIn(new Code(99998, 'nobody declares this'), 'zh-CN')).toBe('nobody declares this');
  });

  test("a Feishu failure's message is Chinese too, its Feishu numbers unchanged", () => {
    const error = fromFeishu({ endpoint: 'contact/v3/users', feishuCode: 99991672, feishuMsg: 'no permission', scopes: ['contact:user.base:readonly'] }, {});
    expect(error.code).toBe(FSInnerCodes.PERMISSION_MISSING);
    expect(messageIn(error, 'zh-CN')).toBe('飞书应用缺少此调用所需的权限：缺少权限 contact:user.base:readonly');
    const unmapped = fromFeishu({ endpoint: 'x/y', feishuCode: 1234, feishuMsg: '', scopes: [] }, {});
    expect([unmapped.code, messageIn(unmapped, 'zh-CN')]).toEqual([FSInnerCodes.FEISHU_FAILURE, '飞书请求失败：x/y 调用失败（飞书错误码 1234）']);
    expect(messageIn(FSInnerEventErrors.EVENT_TOO_LARGE.create({ limit: 100 }), 'zh-CN')).toBe('事件推送超过 100 字节');
    expect(FSInnerEventCodes.EVENT_TOO_LARGE).toBe(47003);
  });
});
