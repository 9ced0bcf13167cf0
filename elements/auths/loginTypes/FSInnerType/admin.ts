import type { AdminDeclaration, AdminLocale } from '../../../../runtime/declarations/admin.js';
import type { SyncProgress } from './department-sync.js';
import type { Directory } from './directory.js';
import type { ContactEventsState } from './events/contact-events.js';
import type { LongConnectionState } from './events/long-connection.js';
import type { DisabledAccount } from './leavers.js';
import type { SyncScheduleStatus } from './sync-schedule.js';

type OrgRow = Awaited<ReturnType<Directory['orgTree']>>[number];

const zh = (locale: AdminLocale) => locale === 'zh-CN';
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
const time = (ms: number | null | undefined, locale: AdminLocale) => (ms == null ? (zh(locale) ? '从未' : 'never') : utc(ms));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What FSInnerType shows on the admin page (`static admin`):
 *
 *   status   tenant token · contact events (transport, connection, counts, lag) · sync schedule (last, next)
 *   actions  Sync departments (live progress) · Retry failed events (all, or one from its row)
 *   views    Failed events (table, Retry per row) · Disabled accounts (table: who and why) · Organization (tree)
 *
 * The runtime draws these; the wording lives here, with the element, in English
 * and Simplified Chinese (each text { en, 'zh-CN' }; the lines built from the
 * state take the request's language). What Feishu or the database said (an
 * error, a reason) is shown as it came.
 */
export const fsInnerAdmin: AdminDeclaration = {
  status: [
    {
      method: 'tokenStatus',
      title: { en: 'Tenant token', 'zh-CN': '租户令牌' },
      text: (s: { cached: boolean; expiresAt?: number }, locale) => {
        const cached = s.cached && s.expiresAt ? `${new Date(s.expiresAt).toISOString().slice(11, 19)} UTC` : undefined;
        if (zh(locale)) return cached ? `已缓存，有效至 ${cached}` : '未缓存';
        return cached ? `cached until ${cached}` : 'not cached';
      },
    },
    { method: 'eventStatus', title: { en: 'Contact events', 'zh-CN': '通讯录事件' }, text: eventsLine },
    { method: 'syncScheduleStatus', title: { en: 'Scheduled sync', 'zh-CN': '定时同步' }, text: scheduleLine },
  ],
  actions: [
    {
      method: 'syncDepartmentInfo',
      title: { en: 'Sync departments', 'zh-CN': '同步部门' },
      progress: true,
      params: true,
      refreshes: ['getOrgTree', 'disabledAccounts'],
      text: (p: Partial<SyncProgress>, status, locale) => {
        const found = p.departmentsFound ?? 0;
        if (zh(locale)) {
          return status === 'done'
            ? `同步完成：${found} 个部门，${p.usersWritten ?? 0} 名用户`
            : `${PHASES[p.phase ?? 'starting']}：部门 ${p.departmentsDone ?? 0}/${found}，用户 ${p.usersFound ?? 0} 名`;
        }
        return status === 'done'
          ? `sync done: ${found} departments, ${p.usersWritten ?? 0} users`
          : `${p.phase ?? 'starting'}: ${p.departmentsDone ?? 0}/${found} departments, ${p.usersFound ?? 0} users`;
      },
    },
    {
      method: 'retryEvent',
      title: { en: 'Retry failed events', 'zh-CN': '重试失败的事件' },
      params: true,
      refreshes: ['eventStatus'],
      text: (_progress, status, locale) =>
        zh(locale) ? (status === 'done' ? '已重新排队：见“失败的事件”' : '正在重新排队') : status === 'done' ? 'queued again: see Failed events' : 'queueing again',
    },
  ],
  views: [
    {
      method: 'eventStatus',
      title: { en: 'Failed events', 'zh-CN': '失败的事件' },
      empty: { en: 'No failed events.', 'zh-CN': '没有失败的事件。' },
      table: (s: ContactEventsState) => ({
        columns: [
          { en: 'Event', 'zh-CN': '事件' },
          { en: 'Type', 'zh-CN': '类型' },
          { en: 'Attempts', 'zh-CN': '尝试次数' },
          { en: 'Why', 'zh-CN': '原因' },
        ],
        rows: s.failed.map((e) => ({
          cells: [`#${e.id}`, e.type, String(e.attempts), e.reason ?? { en: 'no reason recorded', 'zh-CN': '未记录原因' }],
          actions: [{ action: 'retryEvent', title: { en: 'Retry', 'zh-CN': '重试' }, params: { id: e.id } }],
        })),
      }),
    },
    {
      method: 'disabledAccounts',
      title: { en: 'Disabled accounts', 'zh-CN': '已停用的账号' },
      empty: { en: 'No account is disabled for leaving Feishu.', 'zh-CN': '没有因离开飞书而停用的账号。' },
      table: (rows: DisabledAccount[], locale) => ({
        columns: [
          { en: 'Account', 'zh-CN': '账号' },
          { en: 'Feishu user', 'zh-CN': '飞书用户' },
          { en: 'Why', 'zh-CN': '原因' },
          { en: 'Since', 'zh-CN': '停用时间' },
        ],
        rows: rows.map((a) => ({ cells: [a.name ?? a.localUserId, a.userId ?? '—', whyDisabled(a.status, locale), time(a.since, locale)] })),
      }),
    },
    {
      method: 'getOrgTree',
      title: { en: 'Organization', 'zh-CN': '组织架构' },
      empty: { en: 'Nothing synced yet: run a department sync to see the organization.', 'zh-CN': '尚未同步：同步部门后即可查看组织架构。' },
      tree: (rows: OrgRow[], locale) =>
        rows.map((d) => {
          const name = d.name ?? d.customId ?? d.deptId;
          const deleted = d.status === 'deleted';
          return {
            id: d.deptId,
            parentId: d.parentId,
            label: zh(locale) ? `${name}（${d.members} 人）${deleted ? ' — 已删除' : ''}` : `${name} (${plural(d.members, 'member')})${deleted ? ' — deleted' : ''}`,
          };
        }),
    },
  ],
};

const PHASES: Record<SyncProgress['phase'] | 'starting', string> = { starting: '开始', departments: '读取部门', users: '读取用户', writing: '写入', done: '完成' };

const CONNECTION_STATES: Record<LongConnectionState, string> = { idle: '空闲', standby: '待命（由其他进程连接）', connecting: '连接中', connected: '已连接', reconnecting: '重连中', failed: '失败' };

function eventsLine(s: ContactEventsState, locale: AdminLocale): string {
  const c = s.counts;
  if (zh(locale)) {
    if (s.transport === 'none') return '不接收（eventTransport 为 "none"）：通讯录仅随同步和登录更新';
    const connection = s.connection
      ? `长连接${CONNECTION_STATES[s.connection.state] ?? s.connection.state}${s.connection.reconnects > 0 ? `（重连 ${s.connection.reconnects} 次）` : ''}${s.connection.lastError ? `：${s.connection.lastError}` : ''}；`
      : `${s.transport}；`;
    return (
      connection +
      `最近事件 ${time(s.lastEventAt, locale)}；已应用 ${c.applied}，待处理 ${c.pending}，失败 ${c.failed}，过期 ${c.stale}，已忽略 ${c.ignored}；丢弃重复 ${s.duplicates} 条` +
      (s.lagMs > 0 ? `；最早待处理 ${Math.round(s.lagMs / 1000)} 秒` : '') +
      (s.applying ? '' : '；本进程不应用事件') +
      (s.problem ? `；应用器：${s.problem}` : '')
    );
  }
  if (s.transport === 'none') return 'not received (eventTransport "none"): the directory changes by sync and login only';
  const connection = s.connection
    ? `long connection ${s.connection.state}${s.connection.reconnects > 0 ? ` (${plural(s.connection.reconnects, 'reconnect')})` : ''}${s.connection.lastError ? `: ${s.connection.lastError}` : ''}; `
    : `${s.transport}; `;
  return (
    connection +
    `last event ${time(s.lastEventAt, locale)}; ${c.applied} applied, ${c.pending} pending, ${c.failed} failed, ${c.stale} stale, ${c.ignored} ignored; ${plural(s.duplicates, 'duplicate')} dropped` +
    (s.lagMs > 0 ? `; oldest pending ${Math.round(s.lagMs / 1000)} s` : '') +
    (s.applying ? '' : '; not applied by this process') +
    (s.problem ? `; applier: ${s.problem}` : '')
  );
}

const OUTCOMES: Record<NonNullable<SyncScheduleStatus['lastRun']>['outcome'], string> = { ok: '成功', failed: '失败', skipped: '跳过' };

function scheduleLine(s: SyncScheduleStatus | undefined, locale: AdminLocale): string {
  if (zh(locale)) {
    if (!s) return '未设置（请设置 syncSchedule，例如 "0 3 * * *"）';
    const last = s.lastRun ? `上次 ${time(s.lastRun.startedAt, locale)} ${OUTCOMES[s.lastRun.outcome] ?? s.lastRun.outcome}${s.lastRun.error ? `：${s.lastRun.error}` : ''}` : '尚未运行';
    return `${s.schedule}${s.timezone ? `（${s.timezone}）` : ''}：${s.running ? '正在运行；' : ''}${last}；下次 ${time(s.nextRunAt, locale)}`;
  }
  if (!s) return 'none (set syncSchedule, e.g. "0 3 * * *")';
  const last = s.lastRun ? `last ${time(s.lastRun.startedAt, locale)} ${s.lastRun.outcome}${s.lastRun.error ? `: ${s.lastRun.error}` : ''}` : 'not run yet';
  return `${s.schedule}${s.timezone ? ` (${s.timezone})` : ''}: ${s.running ? 'running now; ' : ''}${last}; next ${time(s.nextRunAt, locale)}`;
}

function whyDisabled(status: string | null, locale: AdminLocale): string {
  const reasons: Record<string, [string, string]> = {
    resigned: ['resigned in Feishu', '已在飞书离职'],
    frozen: ['frozen (suspended) in Feishu', '已在飞书冻结（暂停）'],
    gone: ['deleted, or outside the contact range', '已删除，或不在通讯录权限范围内'],
  };
  const reason = status !== null && Object.hasOwn(reasons, status) ? reasons[status] : undefined;
  if (reason) return reason[zh(locale) ? 1 : 0];
  return status ?? (zh(locale) ? '未知' : 'unknown');
}
