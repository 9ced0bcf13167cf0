export { LoginType, type LoginUserInfo, type UserCard } from './LoginType.js';
export { LoginType as default } from './LoginType.js';
