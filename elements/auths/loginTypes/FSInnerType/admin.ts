import type { AdminDeclaration } from '../../../../runtime/declarations/admin.js';
import type { SyncProgress } from './department-sync.js';
import type { Directory } from './directory.js';
import type { EventInboxState } from './events/inbox.js';

type OrgRow = Awaited<ReturnType<Directory['orgTree']>>[number];

/**
 * What FSInnerType shows on the admin page (`static admin`): the tenant token's
 * state, "Sync departments" with live progress, the contact events (counts and
 * failed ones, "Retry failed events") and the synced organization.
 * The runtime draws these; the wording lives here, with the element.
 */
export const fsInnerAdmin: AdminDeclaration = {
  status: {
    method: 'tokenStatus',
    title: 'Tenant token',
    text: (s: { cached: boolean; expiresAt?: number }) => (s.cached && s.expiresAt ? `cached until ${new Date(s.expiresAt).toISOString().slice(11, 19)} UTC` : 'not cached'),
  },
  actions: [
    {
      method: 'syncDepartmentInfo',
      title: 'Sync departments',
      progress: true,
      refreshes: ['getOrgTree'],
      text: (p: Partial<SyncProgress>, status) =>
        status === 'done'
          ? `sync done: ${p.departmentsFound ?? 0} departments, ${p.usersWritten ?? 0} users`
          : `${p.phase ?? 'starting'}: ${p.departmentsDone ?? 0}/${p.departmentsFound ?? 0} departments, ${p.usersFound ?? 0} users`,
    },
    {
      method: 'retryEvent',
      title: 'Retry failed events',
      refreshes: ['eventStatus'],
      // The page words an action from its progress, which this one does not report: Contact events shows the outcome.
      text: (_progress, status) => (status === 'done' ? 'failed events queued again: see Contact events' : 'queueing failed events again'),
    },
  ],
  views: [
    {
      method: 'eventStatus',
      title: 'Contact events',
      tree: eventNodes,
    },
    {
      method: 'getOrgTree',
      title: 'Organization',
      empty: 'Nothing synced yet: run a department sync to see the organization.',
      tree: (rows: OrgRow[]) =>
        rows.map((d) => ({
          id: d.deptId,
          parentId: d.parentId,
          label: `${d.name ?? d.customId ?? d.deptId} (${d.members} member${d.members === 1 ? '' : 's'})${d.status === 'deleted' ? ' — deleted' : ''}`,
        })),
    },
  ],
};

/**
 * The inbox as a tree: one line of counts, and under it each failed event with its reason (what
 * eventStatus lists; never a payload). Until several status lines and tables arrive on the admin
 * page, this view is where the events show.
 */
function eventNodes(s: EventInboxState) {
  const time = (ms: number | null) => (ms === null ? 'never' : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
  const c = s.counts;
  const summary =
    s.transport === 'none'
      ? 'not received (eventTransport "none")'
      : `by ${s.transport}: ${c.pending} pending, ${c.applied} applied, ${c.stale} stale, ${c.ignored} ignored, ${c.failed} failed; ${s.duplicates} duplicate${s.duplicates === 1 ? '' : 's'}; last ${time(s.lastEventAt)}` +
        (s.lagMs > 0 ? `; oldest pending ${Math.round(s.lagMs / 1000)} s` : '') +
        (s.applying ? '' : '; not applied by this process') +
        (s.problem ? `; applier: ${s.problem}` : '');
  return [
    { id: 'events', parentId: null, label: summary },
    ...s.failed.map((e) => ({ id: `event-${e.id}`, parentId: 'events', label: `#${e.id} ${e.type} (${e.attempts} attempt${e.attempts === 1 ? '' : 's'}): ${e.reason ?? 'no reason recorded'}` })),
  ];
}
