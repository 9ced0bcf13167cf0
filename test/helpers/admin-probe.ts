import type { Tree } from './fixture.js';

/**
 * A fixture login Type whose `static admin` uses every shape the admin page
 * draws: several status lines (two from one method), a table with a "Retry"
 * per row (an action taking params, checked against its functionList entry),
 * a table without actions, a tree, an action taking params not in the
 * functionList, one taking none, and a view whose table() is malformed. Its
 * instance `adminProbes.Desk` records each call in `calls`.
 */
export const ADMIN_PROBE = 'adminProbes.Desk';

/** A failed event's error, written to be harmful if the page ever drew it as HTML. */
export const HOSTILE = '<img src=x onerror="window.__pwned=1">timeout & retry';

const probeModule = `
export function extend(Base: any) {
  return class Desk extends Base {
    static roles = ['login'];
    static admin = {
      status: [
        { method: 'transport', title: 'Event transport', text: (t: any) => t.state + ' since ' + t.since },
        { method: 'schedule', title: 'Last sync', text: (s: any) => s.last },
        { method: 'schedule', title: 'Next sync', text: (s: any) => s.next },
        { method: 'broken', title: 'Broken line' },
      ],
      actions: [
        { method: 'retryEvent', title: 'Retry event', params: true, button: false, refreshes: ['failedEvents'] },
        { method: 'setLevel', title: 'Set level', params: true, button: false },
        { method: 'purge', title: 'Purge', refreshes: ['failedEvents', 'disabledAccounts'] },
      ],
      views: [
        {
          method: 'failedEvents',
          title: 'Failed events',
          empty: 'No failed events.',
          table: (events: any[]) => ({
            columns: ['Event', 'Error', 'Attempts'],
            rows: events.map((e) => ({ cells: [e.id, e.error, String(e.attempts)], actions: [{ action: 'retryEvent', title: 'Retry', params: { eventId: e.id } }] })),
          }),
        },
        { method: 'disabledAccounts', title: 'Disabled accounts', empty: 'No disabled account.', table: (rows: any[]) => ({ columns: ['Account', 'Why'], rows: rows.map((r) => ({ cells: [r.name, r.why] })) }) },
        { method: 'teams', title: 'Teams', tree: (teams: any[]) => teams.map((t) => ({ id: t.id, parentId: t.parent, label: t.name })) },
        { method: 'badCells', title: 'Bad cells', table: () => ({ columns: ['A', 'B'], rows: [{ cells: ['only one'] }] }) },
        { method: 'badRowAction', title: 'Bad row action', table: () => ({ columns: ['A'], rows: [{ cells: ['a'], actions: [{ action: 'purge', title: 'Purge', params: { all: true } }] }] }) },
      ],
    };

    calls: Array<{ method: string; params?: unknown }> = [];
    failed = [
      { id: 'ev-1', error: ${JSON.stringify(HOSTILE)}, attempts: 3 },
      { id: 'ev-2', error: 'signature mismatch', attempts: 1 },
    ];
    disabled = [{ name: 'wangwu', why: 'left the company' }];

    async getLoginConfig() { return {}; }
    async loginWithCode() { throw new Error('not a real login'); }
    async describeUser() { return undefined; }

    async transport() { this.calls.push({ method: 'transport' }); return { state: 'connected', since: '08:00' }; }
    schedule() { this.calls.push({ method: 'schedule' }); return { last: '07:00 (ok)', next: '13:00' }; }
    broken() { throw new Error('nobody home'); }
    failedEvents() { return this.failed; }
    disabledAccounts() { return this.disabled; }
    teams() { return [{ id: 'a', parent: null, name: 'All' }, { id: 'b', parent: 'a', name: 'Ops' }]; }
    badCells() { return []; }
    badRowAction() { return []; }

    async retryEvent(params: { eventId: string }) {
      this.calls.push({ method: 'retryEvent', params });
      if (!this.failed.some((e) => e.id === params.eventId)) throw new Error('no such failed event: ' + params.eventId);
      this.failed = this.failed.filter((e) => e.id !== params.eventId);
    }
    async setLevel(params: unknown) { this.calls.push({ method: 'setLevel', params }); }
    async purge(params: unknown) { this.calls.push({ method: 'purge', params }); this.failed = []; this.disabled = []; }
  };
}
`;

/** The probe Meta, Type and instance inside the app folder `appRelDir` (e.g. 'apps/demo'). */
export const adminProbeTree = (appRelDir: string): Tree => ({
  [`${appRelDir}/adminProbes/Meta/e.json`]: { title: 'Admin probes', type: '' },
  [`${appRelDir}/adminProbes/DeskType/e.json`]: {
    title: 'Desk',
    type: 'adminProbes.Meta',
    backendBundleEntry: 'index.ts',
    functionList: [{ name: 'retryEvent', access: 'admin', args: [{ name: 'eventId', dataType: 'Stext', required: true }] }],
  },
  [`${appRelDir}/adminProbes/DeskType/index.ts`]: probeModule,
  [`${appRelDir}/adminProbes/Desk/e.json`]: { title: 'Help desk', type: 'adminProbes.DeskType' },
});

/** The probe instance's record of calls, as the test reads it. */
export type ProbeCalls = Array<{ method: string; params?: Record<string, unknown> }>;
