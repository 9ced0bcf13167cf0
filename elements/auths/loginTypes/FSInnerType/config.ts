import type { UserIdType } from './feishu/api.js';

/** A bound, validated instance config (config.schema.json with its defaults filled in). */
export interface FSInnerConfig {
  readonly appId: string;
  readonly appSecret: string;
  readonly domain: string;
  readonly redirectUri?: string;
  /** Space-separated scopes for the redirect flow's authorize URL; offline_access brings a refresh token. */
  readonly scope?: string;
  readonly userIdType: UserIdType;
  readonly stateTtlSeconds: number;
  readonly binding: 'create' | 'match' | 'existing';
  readonly syncRootDepartments?: readonly string[];
  readonly userSyncTtlSeconds: number;
  readonly syncLeaseSeconds: number;
  readonly requestsPerSecond: number;
  readonly timeoutMs: number;
  readonly adminUserIds: readonly string[];
  /** What a sync does to the local account of someone who left Feishu (see leavers.ts). */
  readonly onLeave: 'disable' | 'keep';
}
