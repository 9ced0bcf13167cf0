import pLimit from 'p-limit';
import type { FSInnerConfig } from './config.js';
import type { Directory } from './directory.js';
import { isUserGone } from './feishu-errors.js';
import { departmentIdType, ROOT_DEPARTMENT_ID, type FeishuApi } from './feishu/api.js';
import type { FeishuContactUser, FeishuDepartment, Page } from './feishu/types.js';
import type { Leavers } from './leavers.js';
import { departmentFactsOf, idOf, leaderIdsOf, profileFromContact, type DepartmentFacts } from './profile.js';

export interface SyncProgress {
  phase: 'departments' | 'users' | 'writing' | 'done';
  departmentsFound: number;
  departmentsDone: number;
  usersFound: number;
  usersWritten: number;
}

/** Requests in flight at once; the per-endpoint pacer keeps them under Feishu's rate. */
const CONCURRENCY = 16;
/** Rows per transaction: large enough to amortise commits, small enough to keep locks short. */
const BATCH = 500;
const ROOT = ROOT_DEPARTMENT_ID;

/**
 * Copies Feishu's organization into the Directory:
 *   1. departments: breadth-first from the roots, every page of children
 *      (fetch_child=false: documented limits on recursive fetches are unclear
 *      for tenant tokens, contract §4), many departments in flight at once;
 *   2. members: every page of find_by_department for each department;
 *   3. writes in batched transactions; after a full sync, users who were
 *      not listed are asked for once and the ones Feishu no longer shows are
 *      marked gone (departments too, after a sync of the whole tree);
 *   4. the leaver rule settles local accounts with what was found (after the
 *      writes, and again after step 3), see leavers.ts.
 */
export class DepartmentSync {
  private readonly limit = pLimit(CONCURRENCY);

  constructor(
    private readonly api: FeishuApi,
    private readonly directory: Directory,
    private readonly leavers: Leavers,
    private readonly config: FSInnerConfig,
    private readonly now: () => number,
  ) {}

  async run(options: { deptId?: string; onProgress?: (progress: SyncProgress) => void }): Promise<void> {
    const startedAt = this.now();
    const progress: SyncProgress = { phase: 'departments', departmentsFound: 0, departmentsDone: 0, usersFound: 0, usersWritten: 0 };
    const report = () => options.onProgress?.({ ...progress });
    const userIdType = this.config.userIdType;

    const departments = options.deptId !== undefined ? await this.single(options.deptId) : await this.tree(this.config.syncRootDepartments ?? [ROOT], progress, report);
    progress.departmentsFound = departments.size;
    report();

    progress.phase = 'users';
    const users = new Map<string, FeishuContactUser>();
    const roots = options.deptId !== undefined ? [options.deptId] : (this.config.syncRootDepartments ?? [ROOT]);
    // People placed directly under the root (a CEO, say) belong to no real department.
    const memberSources = roots.includes(ROOT) ? [ROOT, ...departments.keys()] : [...departments.keys()];
    await Promise.all(
      memberSources.map((deptId) =>
        this.limit(async () => {
          for await (const user of this.pages((token) => this.api.findByDepartment(deptId, userIdType, token))) {
            const id = idOf(user, userIdType);
            if (id !== undefined) users.set(id, user);
          }
          if (deptId !== ROOT) progress.departmentsDone++; // the root is not one of departmentsFound
          progress.usersFound = users.size;
          report();
        }),
      ),
    );

    progress.phase = 'writing';
    report();
    const facts = new Map<string, DepartmentFacts>([...departments.values()].map((d) => [d.open_department_id, departmentFactsOf(d)]));
    const missingFacts = new Set<string>();
    for (const user of users.values()) for (const id of user.department_ids ?? []) if (!facts.has(id)) missingFacts.add(id);
    for (const [id, fact] of await this.directory.departmentFacts([...missingFacts])) facts.set(id, fact);

    const rows = [...departments.values()].map(toDepartmentRow);
    for (let i = 0; i < rows.length; i += BATCH) await this.directory.saveDepartments(rows.slice(i, i + BATCH));
    const entries = [...users.entries()];
    for (let i = 0; i < entries.length; i += BATCH) {
      await this.directory.saveSyncedUsers(entries.slice(i, i + BATCH).map(([userId, user]) => ({ userId, profile: profileFromContact(user, userId, facts) })));
      progress.usersWritten = Math.min(entries.length, i + BATCH);
      report();
    }
    // People listed frozen, or active again, are settled now: the check for the unlisted ones below may still fail.
    await this.leavers.settle();
    if (options.deptId === undefined) {
      const wholeTree = roots.includes(ROOT);
      await this.directory.markUsersGone(await this.recheckUnseen(startedAt, facts, wholeTree));
      if (wholeTree) await this.directory.markDepartmentsGone(startedAt);
      await this.leavers.settle();
    }
    progress.phase = 'done';
    report();
  }

  private async single(deptId: string): Promise<Map<string, FeishuDepartment>> {
    if (deptId === ROOT) return new Map(); // the root is virtual (contract §4): it has members only through its children
    let department = await this.api.getDepartment(deptId, this.config.userIdType);
    // Asked by its custom department_id, Feishu gives parent_department_id in that form too (one
    // department_id_type for path and reply, contract §4); stored ids are open ones, so ask again.
    if (departmentIdType(deptId) === 'department_id' && department.parent_department_id && department.parent_department_id !== ROOT) {
      department = await this.api.getDepartment(department.open_department_id, this.config.userIdType);
    }
    return new Map([[department.open_department_id, department]]);
  }

  /**
   * find_by_department lists no resigned user (Feishu takes them out of every department), so
   * after a full sync each previously synced user it did not list is asked for once: a resigned
   * one is still there and is stored as resigned, one who moved out of the synced subtrees is
   * stored with their new departments. The ones Feishu no longer shows (deleted, or out of the
   * contact range) are returned, to be marked gone. Any other failure fails the sync rather than
   * mark anyone gone, since gone disables accounts. Costs one request per user who disappeared:
   * of the whole tree, every synced user not listed; of some subtrees, those last seen in them.
   */
  private async recheckUnseen(since: number, facts: Map<string, DepartmentFacts>, wholeTree: boolean): Promise<string[]> {
    const userIdType = this.config.userIdType;
    const unseen = wholeTree ? await this.directory.unseenUserIds(since) : await this.directory.unseenMembersOfSyncedDepartments(since);
    const gone: string[] = [];
    await Promise.all(
      unseen.map((userId) =>
        this.limit(async () => {
          let user: FeishuContactUser;
          try {
            user = await this.api.getUser(userId, userIdType);
          } catch (err) {
            if (!isUserGone(err)) throw err;
            gone.push(userId);
            return;
          }
          await this.directory.saveUser(userId, profileFromContact(user, userId, facts), { synced: true });
        }),
      ),
    );
    return gone;
  }

  private async tree(roots: readonly string[], progress: SyncProgress, report: () => void): Promise<Map<string, FeishuDepartment>> {
    const found = new Map<string, FeishuDepartment>();
    // Walk by open ids: children of a custom id would carry parent ids in the custom form.
    let frontier: string[] = [];
    for (const root of roots) {
      if (root === ROOT) frontier.push(ROOT);
      else {
        for (const [id, d] of await this.single(root)) {
          found.set(id, d);
          frontier.push(id);
        }
      }
    }
    while (frontier.length > 0) {
      const next: string[] = [];
      await Promise.all(
        frontier.map((parent) =>
          this.limit(async () => {
            for await (const child of this.pages((token) => this.api.departmentChildren(parent, this.config.userIdType, token))) {
              if (found.has(child.open_department_id)) continue;
              found.set(child.open_department_id, child);
              next.push(child.open_department_id);
            }
            progress.departmentsFound = found.size;
            report();
          }),
        ),
      );
      frontier = next;
    }
    return found;
  }

  private async *pages<T>(fetch: (pageToken?: string) => Promise<Page<T>>): AsyncGenerator<T> {
    let token: string | undefined;
    do {
      const page = await fetch(token);
      yield* page.items ?? [];
      token = page.has_more ? page.page_token : undefined;
    } while (token);
  }
}

/**
 * A department as stored. What Feishu withheld stays null (events-and-scopes notes §4.2): without
 * contact:department.organize:readonly the parent, leaders, member count and order; without
 * contact:department.base:readonly the name and custom id. (A parent could be read off the
 * children listing that found the department; the stored parent is Feishu's field alone.)
 */
function toDepartmentRow(d: FeishuDepartment) {
  return {
    deptId: d.open_department_id,
    customId: d.department_id ?? null,
    name: d.name ?? null,
    parentId: d.parent_department_id ?? null,
    leaderUserId: d.leader_user_id ?? null,
    leaderIds: leaderIdsOf(d),
    memberCount: d.member_count ?? null,
    sortOrder: d.order ?? null,
    deleted: d.status?.is_deleted ?? false,
  };
}
