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
  /** Feishu's quota as this app spends it, all processes together (feishu/quota.ts). */
  readonly requestsPerSecond: number;
  readonly requestsPerMinute: number;
  readonly rateLimitWaitSeconds: number;
  readonly timeoutMs: number;
  readonly adminUserIds: readonly string[];
  /** What a sync does to the local account of someone who left Feishu (see leavers.ts). */
  readonly onLeave: 'disable' | 'keep';
  /** How contact events arrive (events/): Feishu's webhook push, the long connection, or not at all. */
  readonly eventTransport: 'webhook' | 'websocket' | 'none';
  /** Decrypts and checks the signature of webhook pushes; a secret (`${ENV}`). */
  readonly encryptKey?: string;
  /** What every webhook push must carry; required (by the schema) with eventTransport "webhook". A secret (`${ENV}`). */
  readonly verificationToken?: string;
  /** Cron expression (5 or 6 fields) for a scheduled full sync while served; absent: none. */
  readonly syncSchedule?: string;
  /** Up to this many seconds of random delay after each scheduled tick. */
  readonly syncJitterSeconds: number;
}
