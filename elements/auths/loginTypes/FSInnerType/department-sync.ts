import pLimit, { type LimitFunction } from 'p-limit';
import { Code } from '../../../../runtime/errcode.js';
import type { FSInnerConfig } from './config.js';
import type { DepartmentRow, Directory } from './directory.js';
import { isUserGone } from './feishu-errors.js';
import { departmentIdType, RECURSION_REFUSED, ROOT_DEPARTMENT_ID, type FeishuApi } from './feishu/api.js';
import type { FeishuContactUser, FeishuDepartment, Page } from './feishu/types.js';
import type { Leavers } from './leavers.js';
import { departmentFactsOf, idOf, leaderIdsOf, profileFromContact, type DepartmentFacts } from './profile.js';

export interface SyncProgress {
  /**
   * departments: the tree is still being listed (members of the departments found so far are
   * listed meanwhile); users: the tree is complete, members are still being listed; writing:
   * every listing is done and the rows are being stored; done.
   */
  phase: 'departments' | 'users' | 'writing' | 'done';
  departmentsFound: number;
  /** Departments whose members have all been listed. */
  departmentsDone: number;
  usersFound: number;
  usersWritten: number;
}

/**
 * Member listings in flight at once. The per-endpoint pacer keeps them under Feishu's rate; most of
 * them wait in it, which is why the department listing does not share this pool (it would queue
 * behind members held back by find_by_department's per-minute quota).
 */
const CONCURRENCY = 16;
/** Rows per transaction: large enough to amortise commits, small enough to keep locks short. */
const BATCH = 500;
const ROOT = ROOT_DEPARTMENT_ID;

/**
 * Copies Feishu's organization into the Directory. A full sync, from each sync root (default the
 * root "0"; syncRootDepartments otherwise):
 *
 *   department_children(root, fetch_child=true)   p1 ── p2 ── … ── p⌈n/50⌉       one page after another
 *        │ each department as its page arrives                                  (a page needs the last one's token)
 *        ▼
 *   find_by_department(dept), every page           ══ 16 in flight ══▶ users    the root "0" (after its first
 *        │                                                                      page), then each department
 *        ▼ every listing done                                                   found, alongside the pages
 *   write departments, users + memberships (batches of BATCH) ─▶ leavers.settle
 *        ─▶ recheck previously synced users not listed (user_get) ─▶ mark users gone,
 *           departments gone (whole tree only) ─▶ leavers.settle
 *
 * The two listings use different Feishu endpoints, each with its own quota and its own pacing gate
 * (pacing.ts), so they overlap: the wall time approaches the busier endpoint's least time
 * (find_by_department: one request per department) instead of the sum of both. Listing the tree
 * with fetch_child=true costs ⌈departments/50⌉ requests instead of one per department.
 *
 * Fallback: a root whose recursive listing Feishu refuses (RECURSION_REFUSED) is walked level by
 * level with fetch_child=false, many departments in flight, as before. With a contact range below
 * the root, "0" cannot be listed (40014 → 48001, the sync fails as it always has; preflight says
 * to set syncRootDepartments); each configured root inside the range is listed on its own.
 *
 * Nothing is written until every listing has succeeded: a failure anywhere stops the remaining
 * listings, waits for the ones in flight, and fails the sync with the database untouched. With
 * `deptId`, one department and its direct members, nothing marked gone.
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
    const roots = options.deptId !== undefined ? [options.deptId] : (this.config.syncRootDepartments ?? [ROOT]);

    const departments = new Map<string, FeishuDepartment>();
    const users = new Map<string, FeishuContactUser>();
    const members = new Tasks(this.limit);
    const listMembers = (deptId: string) =>
      members.add(async () => {
        for await (const page of this.pages((token) => this.api.findByDepartment(deptId, userIdType, token), members)) {
          for (const user of page) {
            const id = idOf(user, userIdType);
            if (id !== undefined) users.set(id, user);
          }
        }
        if (deptId !== ROOT) progress.departmentsDone++; // the root is not one of departmentsFound
        progress.usersFound = users.size;
        report();
      });
    /** Takes in a department listed for the first time (true) and starts listing its members. */
    const found = (department: FeishuDepartment): boolean => {
      const id = department.open_department_id;
      if (departments.has(id)) return false;
      departments.set(id, department);
      progress.departmentsFound = departments.size;
      listMembers(id);
      return true;
    };

    try {
      // People placed directly under the root (a CEO, say) belong to no real department.
      if (options.deptId === ROOT) listMembers(ROOT);
      else if (options.deptId !== undefined) for (const d of (await this.single(options.deptId)).values()) found(d);
      else await this.tree(roots, found, report, members, () => listMembers(ROOT));
    } catch (err) {
      members.fail(err);
    }
    if (!members.failed) {
      progress.phase = 'users';
      report();
    }
    await members.done(); // throws the first failure, once nothing is in flight any more

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
    const checks = new Tasks(this.limit);
    for (const userId of unseen) {
      checks.add(async () => {
        let user: FeishuContactUser;
        try {
          user = await this.api.getUser(userId, userIdType);
        } catch (err) {
          if (!isUserGone(err)) throw err;
          gone.push(userId);
          return;
        }
        await this.directory.saveUser(userId, profileFromContact(user, userId, facts), { synced: true });
      });
    }
    await checks.done();
    return gone;
  }

  /**
   * Every department under the roots, each handed to `found` as its page arrives. By open ids: the
   * children of a custom id would carry parent ids in the custom form. A root already listed as part
   * of an earlier root's subtree is not listed again.
   */
  private async tree(roots: readonly string[], found: (d: FeishuDepartment) => boolean, report: () => void, members: Tasks, listRootMembers: () => void): Promise<void> {
    for (const root of new Set(roots)) {
      if (root === ROOT) {
        // The root's own members are asked for once its first page is back, not before: with a
        // contact range below the root, its listing fails first, with the code that says so (40014).
        await this.subtree(ROOT, found, report, members, listRootMembers);
        continue;
      }
      const [department] = (await this.single(root)).values();
      if (!found(department!)) continue;
      report();
      await this.subtree(department!.open_department_id, found, report, members);
    }
  }

  /** One root's subtree in ⌈n/50⌉ pages of fetch_child=true; level by level if Feishu refuses to recurse. */
  private async subtree(root: string, found: (d: FeishuDepartment) => boolean, report: () => void, members: Tasks, listed?: () => void): Promise<void> {
    let firstPage = listed;
    try {
      for await (const page of this.pages((token) => this.api.departmentDescendants(root, this.config.userIdType, token), members)) {
        firstPage?.();
        firstPage = undefined;
        for (const department of page) found(department);
        report();
      }
    } catch (err) {
      const feishuCode = Code.is(err) ? err.details?.['feishuCode'] : undefined;
      if (typeof feishuCode !== 'number' || !RECURSION_REFUSED.has(feishuCode)) throw err;
      firstPage?.(); // refused for its size, not for the range
      // Departments from pages already read stay found; the walk lists them again and skips them.
      await this.walk(root, found, report, members);
    }
  }

  /** The fallback: children of each department (fetch_child=false), a level at a time, many departments in flight. */
  private async walk(root: string, found: (d: FeishuDepartment) => boolean, report: () => void, members: Tasks): Promise<void> {
    // A pool of its own: sharing the members' one, it would wait behind listings held by their pace.
    const limit = pLimit(CONCURRENCY);
    // Descend by what this walk has visited, not by what was found: pages read before the refusal
    // found departments whose children the walk must still list.
    const visited = new Set([root]);
    let frontier = [root];
    while (frontier.length > 0 && !members.failed) {
      const next: string[] = [];
      const level = new Tasks(limit);
      for (const parent of frontier) {
        level.add(async () => {
          for await (const page of this.pages((token) => this.api.departmentChildren(parent, this.config.userIdType, token), members, level)) {
            for (const child of page) {
              found(child);
              if (!visited.has(child.open_department_id)) {
                visited.add(child.open_department_id);
                next.push(child.open_department_id);
              }
            }
          }
          report();
        });
      }
      await level.done();
      frontier = next;
    }
  }

  /** The pages of one listing; stops early once any of `watched` has failed (the sync fails with that failure). */
  private async *pages<T>(fetch: (pageToken?: string) => Promise<Page<T>>, ...watched: Tasks[]): AsyncGenerator<T[]> {
    let token: string | undefined;
    do {
      if (watched.some((tasks) => tasks.failed)) return;
      const page = await fetch(token);
      yield page.items ?? [];
      token = page.has_more ? page.page_token : undefined;
    } while (token);
  }
}

/**
 * Tasks through a p-limit pool that fail together: after the first failure, tasks not yet started
 * are skipped (and listings stop between pages), and done() waits for those in flight before it
 * throws that failure, so nothing of a failed sync runs on after it (nor after its lease).
 */
class Tasks {
  private readonly running: Array<Promise<void>> = [];
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: LimitFunction) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  add(task: () => Promise<void>): void {
    if (this.failure) return;
    this.running.push(this.limit(() => (this.failure ? undefined : task())).catch((err: unknown) => this.fail(err)));
  }

  fail(error: unknown): void {
    this.failure ??= { error };
  }

  async done(): Promise<void> {
    // A task may add tasks while this waits (a listing finds departments): wait until none is left.
    for (let i = 0; i < this.running.length; i++) await this.running[i];
    if (this.failure) throw this.failure.error;
  }
}

/**
 * A department as stored. What Feishu withheld stays null (events-and-scopes notes §4.2): without
 * contact:department.organize:readonly the parent, leaders, member count and order; without
 * contact:department.base:readonly the name and custom id. (A parent could be read off the
 * children listing that found the department; the stored parent is Feishu's field alone.) Shared by
 * the sync and by logins storing the departments they learned (FSInnerType.departmentFacts).
 */
export function toDepartmentRow(d: FeishuDepartment): DepartmentRow {
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
