import { Brackets, type DataSource, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { AccountService } from '../../../../runtime/auth/accounts.js';
import { LocalUserModel, SessionModel } from '../../../../runtime/auth/models.js';
import type { SessionStore } from '../../../../runtime/auth/sessions.js';
import { chunksOf } from '../../../../runtime/db/chunks.js';
import type { FSInnerConfig } from './config.js';
import { FSInnerAuthModel } from './models.js';
import type { UserStatus } from './profile.js';

/**
 * Directory statuses that mean a person has left, as far as this app can tell:
 * resigned (or exited), frozen (suspended), and gone: Feishu no longer shows
 * them to the app, because the account was deleted or now lies outside the
 * app's contact range. "inactive" (invited, not yet activated) has not left.
 */
export const LEAVING_STATUSES: readonly UserStatus[] = ['resigned', 'frozen', 'gone'];

export const hasLeft = (status: string | null | undefined): boolean => LEAVING_STATUSES.includes(status as UserStatus);

/** An account this instance disabled, and why (admin page: "Disabled accounts"). */
export interface DisabledAccount {
  localUserId: string;
  name: string | null;
  /** The Feishu user (per userIdType) and what the directory says of them: resigned, frozen or gone. */
  userId: string | null;
  status: string | null;
  /** When the account last changed (the disabling, as far as the account row tells). */
  since: number;
}

export interface SettleResult {
  /** Accounts disabled (their sessions ended with them). */
  disabled: number;
  /** Accounts re-enabled. */
  restored: number;
}

/**
 * The leaver rule. With onLeave "disable", the local account of someone this
 * instance's directory says has left is disabled, and all their sessions end
 * in the same transaction, admin rights with them (sessions carry them). When
 * the directory has the person active again, an account this instance disabled
 * is re-enabled; their old sessions stay ended. An account an administrator
 * disabled (disabledBy null) is never re-enabled here.
 *
 * It works from the stored directory rather than from what one call saw:
 * `settle` compares directory rows with local accounts in one query and acts
 * only on the accounts that disagree. A sync of 50,000 unchanged people costs
 * that one statement, and someone who left before this rule existed, or while
 * onLeave was "keep", is caught by the next sync as well. The flip side: an
 * administrator cannot re-enable a leaver's account while onLeave is "disable".
 */
export class Leavers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly instance: string,
    private readonly accounts: AccountService,
    private readonly sessions: SessionStore,
    private readonly onLeave: FSInnerConfig['onLeave'],
    private readonly now: () => number,
  ) {}

  /** Brings the accounts of these directory users (by default every user of the instance) in line with their status. */
  async settle(userIds?: readonly string[]): Promise<SettleResult> {
    const total: SettleResult = { disabled: 0, restored: 0 };
    for (const scope of userIds ? chunksOf(userIds) : [undefined]) {
      const { leaving, returned } = await this.unsettled(scope);
      if (returned.length > 0) total.restored += await this.accounts.restoreAfterReturn(returned, this.instance);
      if (leaving.length > 0) total.disabled += await this.disable(leaving);
    }
    return total;
  }

  /** Accounts this instance disabled (not those an administrator disabled), most recent first. */
  async disabledAccounts(limit = 200): Promise<DisabledAccount[]> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('u.id', 'localUserId')
      .addSelect('u.name', 'name')
      .addSelect('u.updatedAt', 'since')
      .addSelect('f.userId', 'userId')
      .addSelect('f.status', 'status')
      .from(LocalUserModel, 'u')
      .leftJoin(FSInnerAuthModel, 'f', 'f.localUserId = u.id AND f.instance = :instance')
      .where('u.disabled = :yes AND u.disabledBy = :instance')
      .setParameters({ instance: this.instance, yes: true })
      .orderBy('u.updatedAt', 'DESC')
      .limit(limit)
      .getRawMany<{ localUserId: string; name: string | null; since: number | string; userId: string | null; status: string | null }>();
    // One row per account: of several identities, one that has left explains it.
    const byAccount = new Map<string, DisabledAccount>();
    for (const r of rows) {
      const known = byAccount.get(r.localUserId);
      if (known && hasLeft(known.status)) continue;
      byAccount.set(r.localUserId, { localUserId: r.localUserId, name: r.name, userId: r.userId, status: r.status, since: Number(r.since) });
    }
    return [...byAccount.values()];
  }

  /** Disabling and ending the sessions commit together: no moment where a leaver's session outlives the decision. */
  private disable(localUserIds: string[]): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const disabled = await this.accounts.disableForLeaving(localUserIds, this.instance, manager);
      await this.sessions.revokeAllFor(localUserIds, manager);
      return disabled;
    });
  }

  /** Local accounts whose state disagrees with the directory: leavers still let in, and returners this instance shut out. */
  private async unsettled(userIds: readonly string[] | undefined): Promise<{ leaving: string[]; returned: string[] }> {
    const query = this.dataSource
      .createQueryBuilder()
      .select('f.localUserId', 'localUserId')
      .addSelect('f.status', 'status')
      .from(FSInnerAuthModel, 'f')
      .innerJoin(LocalUserModel, 'u', 'u.id = f.localUserId')
      .where('f.instance = :instance')
      .setParameters({ instance: this.instance, leavingStatuses: LEAVING_STATUSES, now: this.now(), yes: true, no: false });
    if (userIds) query.andWhere('f.userId IN (:...userIds)', { userIds });
    query.andWhere(
      new Brackets((either) => {
        either.where(returnedCondition(query));
        // Fails closed: only an explicit "keep" lets leavers stay in (a config without its defaults still disables).
        if (this.onLeave !== 'keep') either.orWhere(leavingCondition(query));
      }),
    );
    const rows = await query.getRawMany<{ localUserId: string; status: string | null }>();
    const leaving = new Set(rows.filter((r) => hasLeft(r.status)).map((r) => r.localUserId));
    const returned = new Set(rows.filter((r) => !hasLeft(r.status) && !leaving.has(r.localUserId)).map((r) => r.localUserId));
    return { leaving: [...leaving], returned: [...returned] };
  }
}

/**
 * Active again, disabled by this instance for leaving, and no other identity of
 * the same account in this directory still gone (two Feishu users bound to one
 * account, through binding "match"): otherwise each sync would flip it. A status
 * that is unknown (NULL: the app cannot read it, contact:user.employee:readonly)
 * is not known to have left, so it never disables; nor is it known to be back,
 * so it never re-enables either.
 */
function returnedCondition(query: SelectQueryBuilder<ObjectLiteral>): string {
  const stillLeft = query
    .subQuery()
    .select('1')
    .from(FSInnerAuthModel, 'g')
    .where('g.instance = :instance AND g.localUserId = f.localUserId AND g.status IN (:...leavingStatuses)')
    .getQuery();
  return `f.status IS NOT NULL AND f.status NOT IN (:...leavingStatuses) AND u.disabled = :yes AND u.disabledBy = :instance AND NOT EXISTS ${stillLeft}`;
}

/**
 * Left, with the account still enabled or a session still live. The second
 * covers an account an administrator had disabled before the person left: its
 * sessions are refused while it stays disabled, but must not come back if it
 * is ever re-enabled.
 */
function leavingCondition(query: SelectQueryBuilder<ObjectLiteral>): string {
  const liveSession = query
    .subQuery()
    .select('1')
    .from(SessionModel, 's')
    .where('s.localUserId = f.localUserId AND s.revokedAt IS NULL AND s.expiresAt > :now')
    .getQuery();
  return `f.status IN (:...leavingStatuses) AND (u.disabled = :no OR EXISTS ${liveSession})`;
}
