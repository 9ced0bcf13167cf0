import type { AdminDeclaration } from '../../../../runtime/declarations/admin.js';
import type { SyncProgress } from './department-sync.js';
import type { Directory } from './directory.js';
import type { ContactEventsState } from './events/contact-events.js';
import type { DisabledAccount } from './leavers.js';
import type { SyncScheduleStatus } from './sync-schedule.js';

type OrgRow = Awaited<ReturnType<Directory['orgTree']>>[number];

const time = (ms: number | null | undefined) => (ms == null ? 'never' : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What FSInnerType shows on the admin page (`static admin`):
 *
 *   status   tenant token · contact events (transport, connection, counts, lag) · sync schedule (last, next)
 *   actions  Sync departments (live progress) · Retry failed events (all, or one from its row)
 *   views    Failed events (table, Retry per row) · Disabled accounts (table: who and why) · Organization (tree)
 *
 * The runtime draws these; the wording lives here, with the element.
 */
export const fsInnerAdmin: AdminDeclaration = {
  status: [
    {
      method: 'tokenStatus',
      title: 'Tenant token',
      text: (s: { cached: boolean; expiresAt?: number }) => (s.cached && s.expiresAt ? `cached until ${new Date(s.expiresAt).toISOString().slice(11, 19)} UTC` : 'not cached'),
    },
    { method: 'eventStatus', title: 'Contact events', text: eventsLine },
    { method: 'syncScheduleStatus', title: 'Scheduled sync', text: scheduleLine },
  ],
  actions: [
    {
      method: 'syncDepartmentInfo',
      title: 'Sync departments',
      progress: true,
      params: true,
      refreshes: ['getOrgTree', 'disabledAccounts'],
      text: (p: Partial<SyncProgress>, status) =>
        status === 'done'
          ? `sync done: ${p.departmentsFound ?? 0} departments, ${p.usersWritten ?? 0} users`
          : `${p.phase ?? 'starting'}: ${p.departmentsDone ?? 0}/${p.departmentsFound ?? 0} departments, ${p.usersFound ?? 0} users`,
    },
    {
      method: 'retryEvent',
      title: 'Retry failed events',
      params: true,
      refreshes: ['eventStatus'],
      text: (_progress, status) => (status === 'done' ? 'queued again: see Failed events' : 'queueing again'),
    },
  ],
  views: [
    {
      method: 'eventStatus',
      title: 'Failed events',
      empty: 'No failed events.',
      table: (s: ContactEventsState) => ({
        columns: ['Event', 'Type', 'Attempts', 'Why'],
        rows: s.failed.map((e) => ({
          cells: [`#${e.id}`, e.type, String(e.attempts), e.reason ?? 'no reason recorded'],
          actions: [{ action: 'retryEvent', title: 'Retry', params: { id: e.id } }],
        })),
      }),
    },
    {
      method: 'disabledAccounts',
      title: 'Disabled accounts',
      empty: 'No account is disabled for leaving Feishu.',
      table: (rows: DisabledAccount[]) => ({
        columns: ['Account', 'Feishu user', 'Why', 'Since'],
        rows: rows.map((a) => ({ cells: [a.name ?? a.localUserId, a.userId ?? '—', whyDisabled(a.status), time(a.since)] })),
      }),
    },
    {
      method: 'getOrgTree',
      title: 'Organization',
      empty: 'Nothing synced yet: run a department sync to see the organization.',
      tree: (rows: OrgRow[]) =>
        rows.map((d) => ({
          id: d.deptId,
          parentId: d.parentId,
          label: `${d.name ?? d.customId ?? d.deptId} (${plural(d.members, 'member')})${d.status === 'deleted' ? ' — deleted' : ''}`,
        })),
    },
  ],
};

function eventsLine(s: ContactEventsState): string {
  if (s.transport === 'none') return 'not received (eventTransport "none"): the directory changes by sync and login only';
  const c = s.counts;
  const connection = s.connection
    ? `long connection ${s.connection.state}${s.connection.reconnects > 0 ? ` (${plural(s.connection.reconnects, 'reconnect')})` : ''}${s.connection.lastError ? `: ${s.connection.lastError}` : ''}; `
    : `${s.transport}; `;
  return (
    connection +
    `last event ${time(s.lastEventAt)}; ${c.applied} applied, ${c.pending} pending, ${c.failed} failed, ${c.stale} stale, ${c.ignored} ignored; ${plural(s.duplicates, 'duplicate')} dropped` +
    (s.lagMs > 0 ? `; oldest pending ${Math.round(s.lagMs / 1000)} s` : '') +
    (s.applying ? '' : '; not applied by this process') +
    (s.problem ? `; applier: ${s.problem}` : '')
  );
}

function scheduleLine(s: SyncScheduleStatus | undefined): string {
  if (!s) return 'none (set syncSchedule, e.g. "0 3 * * *")';
  const last = s.lastRun ? `last ${time(s.lastRun.startedAt)} ${s.lastRun.outcome}${s.lastRun.error ? `: ${s.lastRun.error}` : ''}` : 'not run yet';
  return `${s.schedule}${s.timezone ? ` (${s.timezone})` : ''}: ${s.running ? 'running now; ' : ''}${last}; next ${time(s.nextRunAt)}`;
}

function whyDisabled(status: string | null): string {
  if (status === 'resigned') return 'resigned in Feishu';
  if (status === 'frozen') return 'frozen (suspended) in Feishu';
  if (status === 'gone') return 'deleted, or outside the contact range';
  return status ?? 'unknown';
}
