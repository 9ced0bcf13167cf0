import { codesOf, defineCodes } from '../../../../../runtime/errcode.js';

/**
 * The Codes of contact events (47000–47099), beside the login's own in feishu-errors.ts. A refused
 * push is answered with one of the first five and nothing is recorded; the others name what became
 * of a recorded event (eventStatus, retryEvent). Messages never carry the body, a token or a key.
 */
export const FSInnerEventErrors = defineCodes('auths.loginTypes.FSInnerType', {
  EVENT_MALFORMED: { code: 47000, status: 400, message: 'Malformed event push: {problem}', zh: '事件推送格式错误：{problem}' },
  EVENT_SIGNATURE_INVALID: { code: 47001, status: 401, message: 'The event push is not signed with the configured encrypt key: {why}', zh: '事件推送未使用所配置的 Encrypt Key 签名：{why}' },
  EVENT_TOKEN_INVALID: { code: 47002, status: 401, message: 'The event push does not carry the configured verification token', zh: '事件推送未携带所配置的 Verification Token' },
  EVENT_TOO_LARGE: { code: 47003, status: 413, message: 'The event push is larger than {limit} bytes', zh: '事件推送超过 {limit} 字节' },
  EVENTS_NOT_BY_WEBHOOK: { code: 47004, status: 404, message: 'This instance does not take events by webhook (eventTransport is "{transport}")', zh: '此实例不通过 Webhook 接收事件（eventTransport 为“{transport}”）' },
  EVENT_NOT_FOUND: { code: 47005, status: 404, message: 'No recorded event {id} for this instance', zh: '此实例没有编号为 {id} 的事件记录' },
  EVENT_NOT_RETRYABLE: { code: 47006, status: 409, message: 'Event {id} is {status}: only failed or ignored events are retried', zh: '事件 {id} 的状态为 {status}：只有失败或已忽略的事件可以重试' },
  /** Recorded, then ignored: nothing here applies this type (a v1 event, one not subscribed for). */
  EVENT_UNHANDLED: { code: 47007, status: 400, message: 'No handler for event type "{type}"', zh: '没有处理“{type}”类型事件的程序' },
  /** Recorded, then failed at once: its payload lacks what applying it needs; retrying cannot help. */
  EVENT_UNAPPLICABLE: { code: 47008, status: 400, message: 'The {type} event cannot be applied: {problem}', zh: '无法应用 {type} 事件：{problem}' },
  /** Recorded without its body (it exceeds what every supported database stores in a text column): failed, a sync catches up. */
  EVENT_PAYLOAD_TOO_LARGE: { code: 47009, status: 413, message: 'The event is {bytes} bytes, more than the {limit} the inbox stores: run a department sync', zh: '该事件有 {bytes} 字节，超过收件箱可存储的 {limit} 字节：请运行一次部门同步' },
  /** Failed after every attempt; the last error is in the message. */
  EVENT_GAVE_UP: { code: 47010, status: 502, message: 'Gave up after {attempts} attempts: {last}', zh: '已尝试 {attempts} 次，放弃：{last}' },
});

export const FSInnerEventCodes = codesOf(FSInnerEventErrors);
