import type { AdminDeclaration } from '../../../../runtime/declarations/admin.js';
import type { SyncProgress } from './department-sync.js';
import type { Directory } from './directory.js';

type OrgRow = Awaited<ReturnType<Directory['orgTree']>>[number];

/**
 * What FSInnerType shows on the admin page (`static admin`): the tenant token's
 * state, "Sync departments" with live progress, and the synced organization.
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
  ],
  views: [
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
