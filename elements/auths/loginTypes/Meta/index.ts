export { LoginType, type LoginUserInfo } from './LoginType.js';
export { LoginType as default } from './LoginType.js';
