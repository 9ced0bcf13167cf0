import { createHash, randomBytes } from 'node:crypto';
import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { chunksOf } from '../db/chunks.js';
import { LocalUserModel, SessionModel } from './models.js';

export interface ActiveSession {
  provider: string;
  expiresAt: number;
  user: LocalUserModel;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Browser sessions in the database: created by one process, accepted and revoked by all. */
export class SessionStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => number,
  ) {}

  /** A new opaque token (256 bits); only its hash is stored. */
  async create(localUserId: string, provider: string, ttlSeconds: number): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + ttlSeconds * 1000;
    await this.dataSource.getRepository(SessionModel).insert({ tokenHash: hash(token), localUserId, provider, createdAt: now, expiresAt, revokedAt: null });
    return { token, expiresAt };
  }

  /** The live session for a token, or undefined (unknown, expired, revoked, or its user disabled). */
  async find(token: string | undefined): Promise<ActiveSession | undefined> {
    if (!token || !TOKEN_SHAPE.test(token)) return undefined;
    const session = await this.dataSource.getRepository(SessionModel).findOneBy({ tokenHash: hash(token) });
    if (!session || session.revokedAt !== null || session.expiresAt <= this.now()) return undefined;
    const user = await this.dataSource.getRepository(LocalUserModel).findOneBy({ id: session.localUserId });
    if (!user || user.disabled) return undefined;
    return { provider: session.provider, expiresAt: session.expiresAt, user };
  }

  async revoke(token: string | undefined): Promise<void> {
    if (!token || !TOKEN_SHAPE.test(token)) return;
    await this.dataSource.getRepository(SessionModel).update({ tokenHash: hash(token), revokedAt: IsNull() }, { revokedAt: this.now() });
  }

  /**
   * Ends every live session of these users at once, whichever login created
   * it: what a person who left keeps access through (admin rights included,
   * since a session carries them). Returns how many sessions it ended.
   */
  async revokeAllFor(localUserIds: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<number> {
    const now = this.now();
    let revoked = 0;
    for (const ids of chunksOf(localUserIds)) {
      const result = await manager.update(SessionModel, { localUserId: In(ids), revokedAt: IsNull() }, { revokedAt: now });
      revoked += result.affected ?? 0;
    }
    return revoked;
  }
}
