import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { chunksOf } from '../db/chunks.js';
import { AuthErrors } from './auth-errors.js';
import { IdentityBindingModel, LocalUserModel } from './models.js';

export interface ExternalProfile {
  name?: string | null;
  email?: string | null;
  mobile?: string | null;
}

/**
 * What to do with an identity that has no local account yet:
 *   create — make one (first login creates the account);
 *   match  — bind to the local account with the same email, else the same mobile; refuse if none;
 *   refuse — only identities already bound may log in.
 */
export type UnboundPolicy = 'create' | 'match' | 'refuse';

/** Local accounts and their bindings to external identities; shared by every login Type. */
export class AccountService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => number,
  ) {}

  async findBound(provider: string, externalId: string): Promise<LocalUserModel | null> {
    const binding = await this.dataSource.getRepository(IdentityBindingModel).findOneBy({ provider, externalId });
    return binding ? this.dataSource.getRepository(LocalUserModel).findOneBy({ id: binding.localUserId }) : null;
  }

  /** The local user this identity logs in as, binding it per policy; AuthCodes.LOGIN_NOT_ALLOWED when it may not log in. */
  async resolve(provider: string, externalId: string, profile: ExternalProfile, policy: UnboundPolicy): Promise<LocalUserModel> {
    const user = (await this.findBound(provider, externalId)) ?? (await this.bindNew(provider, externalId, profile, policy));
    if (user.disabled) throw AuthErrors.LOGIN_NOT_ALLOWED.create({ why: 'This account is disabled in this app.' }, { reason: 'disabled' });
    return user;
  }

  async createUser(fields: ExternalProfile & { isAdmin?: boolean }, manager: EntityManager = this.dataSource.manager): Promise<LocalUserModel> {
    const now = this.now();
    const user = manager.create(LocalUserModel, {
      id: randomUUID(),
      name: fields.name ?? null,
      email: fields.email ?? null,
      mobile: fields.mobile ?? null,
      isAdmin: fields.isAdmin ?? false,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(LocalUserModel, user);
    return user;
  }

  async makeAdmin(localUserId: string): Promise<void> {
    await this.dataSource.getRepository(LocalUserModel).update({ id: localUserId }, { isAdmin: true, updatedAt: this.now() });
  }

  /**
   * Disables the accounts of people login instance `provider` (its fullName)
   * found gone from its directory, marked disabledBy it so that only it lets
   * them back in. An account already disabled keeps its mark: one an
   * administrator disabled (null) stays the administrator's to re-enable.
   * Sessions are not touched here: end them with SessionStore.revokeAllFor in
   * the same transaction. Returns how many accounts it disabled.
   */
  async disableForLeaving(localUserIds: readonly string[], provider: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    let disabled = 0;
    for (const ids of chunksOf(localUserIds)) {
      const result = await manager.update(LocalUserModel, { id: In(ids), disabled: false }, { disabled: true, disabledBy: provider, updatedAt: this.now() });
      disabled += result.affected ?? 0;
    }
    return disabled;
  }

  /**
   * Re-enables accounts `provider` disabled because the person left, now that
   * its directory has them back. The condition sits in the statement itself, so
   * an account an administrator disabled meanwhile stays disabled. Returns how
   * many accounts it re-enabled.
   */
  async restoreAfterReturn(localUserIds: readonly string[], provider: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    let restored = 0;
    for (const ids of chunksOf(localUserIds)) {
      const result = await manager.update(LocalUserModel, { id: In(ids), disabled: true, disabledBy: provider }, { disabled: false, disabledBy: null, updatedAt: this.now() });
      restored += result.affected ?? 0;
    }
    return restored;
  }

  private async bindNew(provider: string, externalId: string, profile: ExternalProfile, policy: UnboundPolicy): Promise<LocalUserModel> {
    if (policy === 'refuse') throw AuthErrors.LOGIN_NOT_ALLOWED.create({ why: 'This app only lets in people who already have an account here.' }, { reason: 'not_bound' });
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = policy === 'match' ? await this.match(profile, manager) : await this.createUser(profile, manager);
        await manager.insert(IdentityBindingModel, { id: randomUUID(), provider, externalId, localUserId: user.id, createdAt: this.now() });
        return user;
      });
    } catch (err) {
      // Two first logins of one person at once: the unique binding lets one win; the loser's insert rolled back.
      const winner = await this.findBound(provider, externalId);
      if (winner) return winner;
      throw err;
    }
  }

  private async match(profile: ExternalProfile, manager: EntityManager): Promise<LocalUserModel> {
    const repo = manager.getRepository(LocalUserModel);
    const byEmail = profile.email ? await repo.createQueryBuilder('u').where('LOWER(u.email) = LOWER(:email)', { email: profile.email }).getOne() : null;
    const found = byEmail ?? (profile.mobile ? await repo.findOneBy({ mobile: profile.mobile }) : null);
    if (!found) throw AuthErrors.LOGIN_NOT_ALLOWED.create({ why: 'No account in this app has the same email or mobile; ask an administrator to create one.' }, { reason: 'no_match' });
    return found;
  }
}
