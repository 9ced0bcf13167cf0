import type { DataSource, EntityManager } from 'typeorm';
import type { SecretBox } from '../../../../runtime/auth/secret-box.js';
import { chunksOf } from '../../../../runtime/db/chunks.js';
import { FSInnerAuthModel, FSInnerDeptModel, FSInnerMembershipModel } from './models.js';
import { leadsAny, storedProfile, type ContactProfile, type DepartmentFacts, type DepartmentRef } from './profile.js';

/** Tokens of a login, stored with the user. */
export interface UserTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number;
  refreshExpiresAt: number | null;
  /** Space-separated scopes Feishu granted with them (null when the reply named none). */
  scope: string | null;
}

/** Stored tokens, decrypted, with the refresh token as stored: the ciphertext a conditional update compares. */
export interface StoredUserTokens extends UserTokens {
  sealedRefreshToken: string | null;
}

/** A department as Directory.saveDepartments stores it (department-sync.ts toDepartmentRow maps Feishu's); fields Feishu withheld are null. */
export interface DepartmentRow {
  deptId: string;
  customId: string | null;
  name: string | null;
  parentId: string | null;
  leaderUserId: string | null;
  leaderIds: string[] | null;
  memberCount: number | null;
  sortOrder: string | null;
  deleted: boolean;
}

/**
 * The local copy of one instance's Feishu directory: users, departments and
 * memberships. Writes are upserts on the unique keys, so a re-sync, or two
 * processes syncing at once, never duplicate a row; Feishu-owned fields are
 * overwritten, local ones (localUserId) never.
 */
/** Memberships per INSERT: 6 parameters each stays far below every engine's placeholder limit. */
const MEMBERSHIP_ROWS_PER_STATEMENT = 2000;

export class Directory {
  constructor(
    private readonly dataSource: DataSource,
    readonly instance: string,
    private readonly now: () => number,
    private readonly secrets: SecretBox,
  ) {}

  /** A user's stored Feishu tokens, decrypted (undefined if none, or made with a key no longer configured). */
  async userTokens(userId: string): Promise<StoredUserTokens | undefined> {
    const row = await this.findUser(userId);
    const accessToken = row?.accessToken ? this.secrets.decrypt(row.accessToken) : undefined;
    if (!row || accessToken === undefined || row.expiresAt === null) return undefined;
    const refreshToken = row.refreshToken ? (this.secrets.decrypt(row.refreshToken) ?? null) : null;
    return {
      accessToken,
      refreshToken,
      expiresAt: row.expiresAt,
      refreshExpiresAt: refreshToken === null ? null : row.refreshExpiresAt,
      scope: row.tokenScope,
      sealedRefreshToken: row.refreshToken,
    };
  }

  /**
   * Replaces a user's tokens after a refresh: access and rotated refresh token in one UPDATE, and
   * only while the row still holds the refresh token that was spent (`sealedRefreshToken`, as
   * stored). False when it does not: a login stored newer tokens meanwhile, and they stand.
   */
  async replaceTokens(userId: string, sealedRefreshToken: string, tokens: UserTokens): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(FSInnerAuthModel)
      .set({ ...this.tokenColumns(tokens), updatedAt: this.now() })
      .where('instance = :instance AND userId = :userId AND refreshToken = :sealed', { instance: this.instance, userId, sealed: sealedRefreshToken })
      .execute();
    return result.affected === 1;
  }

  /** Forgets a user's tokens once their refresh token is dead, unless a login has stored newer ones meanwhile. */
  async clearTokens(userId: string, sealedRefreshToken: string): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(FSInnerAuthModel)
      .set({ accessToken: null, refreshToken: null, expiresAt: null, refreshExpiresAt: null, tokenScope: null, updatedAt: this.now() })
      .where('instance = :instance AND userId = :userId AND refreshToken = :sealed', { instance: this.instance, userId, sealed: sealedRefreshToken })
      .execute();
  }

  /** Token columns as stored: both tokens encrypted at rest (AES-256-GCM, runtime/auth/secret-box.ts). */
  private tokenColumns(tokens: UserTokens): Pick<FSInnerAuthModel, 'accessToken' | 'refreshToken' | 'expiresAt' | 'refreshExpiresAt' | 'tokenScope'> {
    return {
      accessToken: this.secrets.encrypt(tokens.accessToken),
      refreshToken: tokens.refreshToken === null ? null : this.secrets.encrypt(tokens.refreshToken),
      expiresAt: tokens.expiresAt,
      refreshExpiresAt: tokens.refreshToken === null ? null : tokens.refreshExpiresAt,
      tokenScope: tokens.scope,
    };
  }

  findUser(userId: string): Promise<FSInnerAuthModel | null> {
    return this.dataSource.getRepository(FSInnerAuthModel).findOneBy({ instance: this.instance, userId });
  }

  /** A stored user by open_id: how contact events, which name people by open_id, find the userIdType id. */
  findUserByOpenId(openId: string): Promise<FSInnerAuthModel | null> {
    return this.dataSource.getRepository(FSInnerAuthModel).findOneBy({ instance: this.instance, openId });
  }

  /** The userIdType ids of stored users, by open_id (the ones not stored are absent). */
  async userIdsByOpenId(openIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const ids of chunksOf(openIds)) {
      const rows = await this.dataSource
        .getRepository(FSInnerAuthModel)
        .createQueryBuilder('u')
        .select(['u.openId', 'u.userId'])
        .where('u.instance = :instance AND u.openId IN (:...ids)', { instance: this.instance, ids })
        .getMany();
      for (const row of rows) if (row.openId) found.set(row.openId, row.userId);
    }
    return found;
  }

  findDepartment(deptId: string): Promise<FSInnerDeptModel | null> {
    return this.dataSource.getRepository(FSInnerDeptModel).findOneBy({ instance: this.instance, deptId });
  }

  /** What the local copy knows of a user, as a profile: the row, and the memberships unless the departments were never readable. */
  async storedProfile(row: FSInnerAuthModel): Promise<ContactProfile> {
    const memberships = await this.departmentsOf(row.userId);
    // No membership and no leader flag stored: the departments could not be read (unknown), not "in none".
    const departments = memberships.length === 0 && row.isLeader === null ? null : memberships;
    return {
      openId: row.openId,
      unionId: row.unionId,
      name: null,
      mobile: null,
      email: null,
      avatar: null,
      department: null,
      position: null,
      gender: null,
      status: null,
      employeeNo: null,
      ...storedProfile(row),
      departments,
      isLeader: row.isLeader,
    };
  }

  /** Names and leaders of departments already stored (by a sync, an event or a login), by open_department_id. */
  async departmentFacts(deptIds: string[]): Promise<Map<string, DepartmentFacts>> {
    const facts = new Map<string, DepartmentFacts>();
    if (deptIds.length === 0) return facts;
    const rows = await this.dataSource
      .getRepository(FSInnerDeptModel)
      .createQueryBuilder('d')
      .where('d.instance = :instance AND d.deptId IN (:...deptIds)', { instance: this.instance, deptIds })
      .getMany();
    // leaderIds NULL: the leaders could not be read (unknown), as opposed to "[]" (none).
    for (const row of rows) facts.set(row.deptId, { name: row.name, customId: row.customId, leaderIds: row.leaderIds === null ? null : (JSON.parse(row.leaderIds) as string[]) });
    return facts;
  }

  /** Memberships as stored, for answering from the local copy. */
  async departmentsOf(userId: string): Promise<DepartmentRef[]> {
    const rows = await this.dataSource.getRepository(FSInnerMembershipModel).findBy({ instance: this.instance, userId });
    const facts = await this.departmentFacts(rows.map((r) => r.deptId));
    return rows.map((r) => ({ id: r.deptId, customId: facts.get(r.deptId)?.customId ?? null, name: facts.get(r.deptId)?.name ?? null, isLeader: r.isLeader, isPrimary: r.isPrimary }));
  }

  /**
   * Upserts one user with their memberships in one transaction. `synced`: a sync or a contact event
   * saw the user (syncedAt), which always means their contact record was read. `contactRead`: the
   * profile comes from Feishu's contact record just read (a login's); both stamp contactReadAt, which
   * makes the stored copy fresh. A profile made from the stored copy or from user_info alone is neither.
   */
  async saveUser(
    userId: string,
    profile: ContactProfile,
    extra: { tokens?: UserTokens; tenantKey?: string | null; synced: boolean; contactRead?: boolean; loggedIn?: boolean; membershipsUnchanged?: boolean; eventAt?: number | null },
    manager?: EntityManager,
  ): Promise<void> {
    const run = async (m: EntityManager) => {
      const now = this.now();
      const row = this.profileRow(userId, profile, now);
      if (extra.tenantKey) row.tenantKey = extra.tenantKey;
      // Only a contact event moves it (events/handlers.ts); a sync or login leaves it as it is.
      if (extra.eventAt !== undefined) row.eventAt = extra.eventAt;
      if (extra.synced) row.syncedAt = now;
      if (extra.synced || extra.contactRead) row.contactReadAt = now;
      if (extra.loggedIn) row.lastLoginAt = now;
      if (extra.tokens) Object.assign(row, this.tokenColumns(extra.tokens));
      await m
        .createQueryBuilder()
        .insert()
        .into(FSInnerAuthModel)
        .values({ ...row, createdAt: now })
        .orUpdate(Object.keys(row).filter((k) => k !== 'instance' && k !== 'userId'), ['instance', 'userId'])
        .updateEntity(false)
        .execute();
      if (rewriteMemberships) await this.writeMemberships(m, [userId], this.membershipRows(userId, profile.departments!, now), now);
    };
    // Unknown departments (null: the app cannot read them) leave the stored memberships as they are.
    const departments = profile.departments;
    const rewriteMemberships = !extra.membershipsUnchanged && departments !== null && (extra.synced || departments.length > 0);
    // One upsert is atomic by itself; only a rewrite of memberships needs the transaction around it.
    const single = !rewriteMemberships;
    await (manager ? run(manager) : single ? run(this.dataSource.manager) : this.dataSource.transaction(run));
  }

  /** The Feishu-owned columns of a user row; local columns (localUserId, tokens) are never among them. */
  private profileRow(userId: string, profile: ContactProfile, now: number): Partial<FSInnerAuthModel> {
    return {
      instance: this.instance,
      userId,
      openId: profile.openId,
      unionId: profile.unionId,
      name: profile.name,
      mobile: profile.mobile,
      email: profile.email,
      avatar: profile.avatar,
      department: profile.department,
      position: profile.position,
      gender: profile.gender,
      status: profile.status,
      isLeader: profile.isLeader,
      employeeNo: profile.employeeNo,
      deletedAt: profile.status === 'resigned' ? now : null,
      updatedAt: now,
    };
  }

  /**
   * Stores one batch of synced users in one transaction with three statements
   * whatever its size: a multi-row upsert of the users, a multi-row upsert of
   * their memberships, and a delete of the memberships the batch no longer
   * lists (older syncedAt). A round trip per batch, not per row, is what
   * keeps a large sync fast on a database server.
   */
  async saveSyncedUsers(batch: Array<{ userId: string; profile: ContactProfile }>): Promise<void> {
    if (batch.length === 0) return;
    const now = this.now();
    const rows = batch.map(({ userId, profile }) => ({ ...this.profileRow(userId, profile, now), syncedAt: now, contactReadAt: now }));
    // Users whose departments are unknown (null) keep their stored memberships.
    const known = batch.filter((b) => b.profile.departments !== null);
    const memberships = known.flatMap(({ userId, profile }) => this.membershipRows(userId, profile.departments!, now));
    await this.dataSource.transaction(async (m) => {
      await m
        .createQueryBuilder()
        .insert()
        .into(FSInnerAuthModel)
        .values(rows.map((row) => ({ ...row, createdAt: now })))
        .orUpdate(Object.keys(rows[0]!).filter((k) => k !== 'instance' && k !== 'userId'), ['instance', 'userId'])
        .updateEntity(false)
        .execute();
      if (known.length > 0) await this.writeMemberships(m, known.map((b) => b.userId), memberships, now);
    });
  }

  /**
   * Upserts departments: one multi-row statement per call (a batch from the sync). Fields Feishu withheld are null.
   * With `onlyNew` (what a login learned), departments already stored are left as they are: a row a
   * sync or an event stored, even while the login was reading, may know more (or newer) than the login's read.
   */
  async saveDepartments(departments: DepartmentRow[], options: { eventAt?: number | null; onlyNew?: boolean } = {}): Promise<void> {
    if (departments.length === 0) return;
    const now = this.now();
    const rows = departments.map((d) => ({
      ...(options.eventAt !== undefined ? { eventAt: options.eventAt } : {}),
      instance: this.instance,
      deptId: d.deptId,
      customId: d.customId,
      name: d.name,
      parentId: d.parentId,
      leaderUserId: d.leaderUserId,
      leaderIds: d.leaderIds === null ? null : JSON.stringify(d.leaderIds),
      memberCount: d.memberCount,
      sortOrder: d.sortOrder,
      status: d.deleted ? 'deleted' : 'active',
      deletedAt: d.deleted ? now : null,
      syncedAt: now,
      updatedAt: now,
    }));
    const insert = this.dataSource
      .createQueryBuilder()
      .insert()
      .into(FSInnerDeptModel)
      .values(rows.map((row) => ({ ...row, createdAt: now })));
    // ON CONFLICT DO NOTHING; on MariaDB INSERT IGNORE, whose other leniencies (e.g. truncating an overlong name) are acceptable here.
    if (options.onlyNew) await insert.orIgnore().updateEntity(false).execute();
    else await insert.orUpdate(Object.keys(rows[0]!).filter((k) => k !== 'instance' && k !== 'deptId'), ['instance', 'deptId']).updateEntity(false).execute();
  }

  /**
   * After a full sync of the whole tree: departments not seen since `since`
   * are gone from Feishu. They are marked (status, deletedAt), never deleted:
   * memberships and history keep pointing at them.
   */
  async markDepartmentsGone(since: number): Promise<number> {
    const now = this.now();
    const result = await this.dataSource
      .createQueryBuilder()
      .update(FSInnerDeptModel)
      .set({ status: 'deleted', deletedAt: now, updatedAt: now })
      .where('instance = :instance AND syncedAt < :since AND status <> :deleted', { instance: this.instance, since, deleted: 'deleted' })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Users Feishu no longer shows to the app (deleted, or out of its contact
   * range) are marked gone, never deleted: local bindings and history keep
   * pointing at them. Resigned users keep that status (Feishu still has them),
   * and a user already gone keeps the deletedAt of when they went.
   */
  async markUsersGone(userIds: readonly string[], options: { eventAt?: number | null } = {}): Promise<void> {
    const now = this.now();
    for (const ids of chunksOf(userIds)) {
      await this.dataSource
        .createQueryBuilder()
        .update(FSInnerAuthModel)
        .set({ status: 'gone', deletedAt: now, updatedAt: now })
        .where('instance = :instance AND userId IN (:...ids) AND (status IS NULL OR status NOT IN (:...kept))', { instance: this.instance, ids, kept: ['gone', 'resigned'] })
        .execute();
      // The event that said so is applied to every one of them, whatever their status was.
      if (options.eventAt !== undefined && options.eventAt !== null) {
        await this.dataSource.createQueryBuilder().update(FSInnerAuthModel).set({ eventAt: options.eventAt }).where('instance = :instance AND userId IN (:...ids)', { instance: this.instance, ids }).execute();
      }
    }
  }

  /**
   * After a department's name or leaders changed (a contact event): its members' memberships and
   * stored profiles follow, as a sync of each member would leave them. Members whose primary
   * department it is take the new name; each membership's leader flag follows the leader list
   * (null: unknown), and each member's isLeader is recomputed over all their memberships (leadsAny).
   */
  async departmentChanged(deptId: string, change: { name?: string | null; leaderIds?: string[] | null }): Promise<void> {
    const now = this.now();
    const scope = { instance: this.instance, deptId };
    if (change.name !== undefined) {
      const primary = this.dataSource.createQueryBuilder().subQuery().select('m.userId').from(FSInnerMembershipModel, 'm').where('m.instance = :instance AND m.deptId = :deptId AND m.isPrimary = :yes').getQuery();
      await this.dataSource
        .createQueryBuilder()
        .update(FSInnerAuthModel)
        .set({ department: change.name, updatedAt: now })
        .where(`instance = :instance AND userId IN ${primary}`, { ...scope, yes: true })
        .execute();
    }
    if (change.leaderIds === undefined) return;
    const leaders = change.leaderIds;
    await this.dataSource.createQueryBuilder().update(FSInnerMembershipModel).set({ isLeader: leaders === null ? null : false }).where('instance = :instance AND deptId = :deptId', scope).execute();
    if (leaders && leaders.length > 0) {
      for (const ids of chunksOf(leaders)) {
        await this.dataSource.createQueryBuilder().update(FSInnerMembershipModel).set({ isLeader: true }).where('instance = :instance AND deptId = :deptId AND userId IN (:...ids)', { ...scope, ids }).execute();
      }
    }
    const members = (await this.dataSource.getRepository(FSInnerMembershipModel).findBy(scope)).map((m) => m.userId);
    for (const ids of chunksOf(members)) {
      const memberships = await this.dataSource
        .getRepository(FSInnerMembershipModel)
        .createQueryBuilder('m')
        .where('m.instance = :instance AND m.userId IN (:...ids)', { instance: this.instance, ids })
        .getMany();
      const byValue = new Map<boolean | null, string[]>();
      for (const userId of ids) {
        const refs = memberships.filter((m) => m.userId === userId).map((m) => ({ isLeader: m.isLeader }) as DepartmentRef);
        const value = leadsAny(refs);
        byValue.set(value, [...(byValue.get(value) ?? []), userId]);
      }
      for (const [isLeader, userIds] of byValue) {
        await this.dataSource.createQueryBuilder().update(FSInnerAuthModel).set({ isLeader, updatedAt: now }).where('instance = :instance AND userId IN (:...userIds)', { instance: this.instance, userIds }).execute();
      }
    }
  }

  /** Stored members of these departments and of every stored department below them. */
  async membersUnder(deptIds: readonly string[]): Promise<string[]> {
    const departments = await this.dataSource.getRepository(FSInnerDeptModel).find({ select: { deptId: true, parentId: true }, where: { instance: this.instance } });
    const children = new Map<string, string[]>();
    for (const d of departments) if (d.parentId) children.set(d.parentId, [...(children.get(d.parentId) ?? []), d.deptId]);
    const seen = new Set<string>();
    const queue = [...deptIds];
    while (queue.length > 0) {
      const id = queue.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(...(children.get(id) ?? []));
    }
    const members = new Set<string>();
    for (const ids of chunksOf([...seen])) {
      const rows = await this.dataSource
        .getRepository(FSInnerMembershipModel)
        .createQueryBuilder('m')
        .select('m.userId', 'userId')
        .where('m.instance = :instance AND m.deptId IN (:...ids)', { instance: this.instance, ids })
        .getRawMany<{ userId: string }>();
      for (const row of rows) members.add(row.userId);
    }
    return [...members];
  }

  /** Users synced before `since` and not marked resigned or gone: after a full sync, the ones it did not list. */
  async unseenUserIds(since: number): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(FSInnerAuthModel)
      .createQueryBuilder('u')
      .select('u.userId', 'userId')
      .where('u.instance = :instance AND u.syncedAt IS NOT NULL AND u.syncedAt < :since AND (u.status IS NULL OR u.status NOT IN (:...done))', { instance: this.instance, since, done: ['resigned', 'gone'] })
      .getRawMany<{ userId: string }>();
    return rows.map((r) => r.userId);
  }

  /**
   * After a full sync of some subtrees (syncRootDepartments): users not seen
   * since `since` whose stored memberships lie in a department this sync
   * walked, i.e. people who were in the synced part of the tree and are not
   * any more (moved, resigned, deleted, out of the contact range). A person
   * who moved elsewhere is stored with their new departments when asked for,
   * so they are not asked for again by the next sync.
   */
  async unseenMembersOfSyncedDepartments(since: number): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(FSInnerAuthModel)
      .createQueryBuilder('u')
      .select('u.userId', 'userId')
      .distinct(true)
      .innerJoin(FSInnerMembershipModel, 'm', 'm.instance = u.instance AND m.userId = u.userId')
      .innerJoin(FSInnerDeptModel, 'd', 'd.instance = m.instance AND d.deptId = m.deptId')
      .where('u.instance = :instance AND u.syncedAt IS NOT NULL AND u.syncedAt < :since AND (u.status IS NULL OR u.status NOT IN (:...done))', { instance: this.instance, since, done: ['resigned', 'gone'] })
      .andWhere('m.syncedAt < :since AND d.syncedAt >= :since')
      .getRawMany<{ userId: string }>();
    return rows.map((r) => r.userId);
  }

  /** The synced departments with how many synced members each has, for browsing (admin page). */
  async orgTree(): Promise<Array<{ deptId: string; customId: string | null; name: string | null; parentId: string | null; status: string; members: number; memberCount: number | null }>> {
    const departments = await this.dataSource.getRepository(FSInnerDeptModel).find({ where: { instance: this.instance }, order: { sortOrder: 'ASC', name: 'ASC' } });
    const counts = await this.dataSource
      .getRepository(FSInnerMembershipModel)
      .createQueryBuilder('m')
      .select('m.deptId', 'deptId')
      .addSelect('COUNT(*)', 'members')
      .where('m.instance = :instance', { instance: this.instance })
      .groupBy('m.deptId')
      .getRawMany<{ deptId: string; members: string | number }>();
    const members = new Map(counts.map((c) => [c.deptId, Number(c.members)]));
    return departments.map((d) => ({ deptId: d.deptId, customId: d.customId, name: d.name, parentId: d.parentId, status: d.status, members: members.get(d.deptId) ?? 0, memberCount: d.memberCount }));
  }

  async setLocalUser(userId: string, localUserId: string): Promise<void> {
    await this.dataSource.getRepository(FSInnerAuthModel).update({ instance: this.instance, userId }, { localUserId, updatedAt: this.now() });
  }

  /**
   * Upserts memberships stamped `now`, then drops the users' memberships with
   * an older stamp: the ones no longer listed. Two writers of the same user (a
   * login and a sync, two processes) both end with the listed rows; there is no
   * delete-then-insert window in which they collide. One statement per chunk,
   * not per row, so a batch costs a database server a few round trips.
   */
  private async writeMemberships(m: EntityManager, userIds: string[], rows: Array<Omit<FSInnerMembershipModel, 'id'>>, now: number): Promise<void> {
    for (let i = 0; i < rows.length; i += MEMBERSHIP_ROWS_PER_STATEMENT) {
      await m
        .createQueryBuilder()
        .insert()
        .into(FSInnerMembershipModel)
        .values(rows.slice(i, i + MEMBERSHIP_ROWS_PER_STATEMENT))
        .orUpdate(['isLeader', 'isPrimary', 'syncedAt'], ['instance', 'userId', 'deptId'])
        .updateEntity(false) // an upsert that updates returns no generated id to copy back
        .execute();
    }
    await m
      .createQueryBuilder()
      .delete()
      .from(FSInnerMembershipModel)
      .where('instance = :instance AND userId IN (:...userIds) AND syncedAt < :now', { instance: this.instance, userIds, now })
      .execute();
  }

  private membershipRows(userId: string, departments: DepartmentRef[], now: number): Array<Omit<FSInnerMembershipModel, 'id'>> {
    return departments.map((d) => ({ instance: this.instance, userId, deptId: d.id, isLeader: d.isLeader, isPrimary: d.isPrimary, syncedAt: now }));
  }


}
