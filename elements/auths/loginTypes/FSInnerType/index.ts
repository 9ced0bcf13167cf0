export { FSInnerType, FSInnerType as default, type LoginConfig } from './FSInnerType.js';
export { FSInnerCodes, FSInnerErrors } from './feishu-errors.js';
export type { FSInnerConfig } from './config.js';
export type { FSInnerUserInfo, FSInnerUserDetail, DepartmentRef, ContactProfile } from './profile.js';
export { FSInnerAuthModel, FSInnerDeptModel, FSInnerMembershipModel } from './models.js';
export type { FSInnerUserTokens } from './user-tokens.js';
export { FSInnerEventCodes, FSInnerEventErrors } from './events/errors.js';
export { FSInnerEventModel } from './events/models.js';
export type { EventInbox, EventInboxState, EventInboxStatus } from './events/inbox.js';
