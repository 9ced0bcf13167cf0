import { Code } from '../../../../runtime/errcode.js';
import type { FSInnerConfig } from './config.js';
import type { FeishuApi } from './feishu/api.js';
import type { FeishuContactUser } from './feishu/types.js';

export interface PreflightCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PreflightReport {
  ok: boolean;
  checks: PreflightCheck[];
  /** Scopes to enable in the Feishu console, with the user fields each one fills. */
  missingScopes: Array<{ scope: string; fields: string[] }>;
}

/** Field → the permission Feishu needs before it sends that field (contract §3, §4). */
const FIELD_SCOPES: Array<{ field: keyof FeishuContactUser; scope: string; label: string }> = [
  { field: 'email', scope: 'contact:user.email:readonly', label: 'email' },
  { field: 'mobile', scope: 'contact:user.phone:readonly', label: 'mobile' },
  { field: 'user_id', scope: 'contact:user.employee_id:readonly', label: 'userId (user_id)' },
  { field: 'department_ids', scope: 'contact:user.department:readonly', label: 'department' },
  { field: 'job_title', scope: 'contact:user.employee:readonly', label: 'position' },
  { field: 'gender', scope: 'contact:user.gender:readonly', label: 'gender' },
];

/**
 * Answers the questions every Feishu integration hits: do the credentials
 * work, is a redirect URI set, and which permissions are missing, i.e. which
 * user fields will come back empty. Reads one department page and one user.
 */
export async function runPreflight(api: FeishuApi, config: FSInnerConfig): Promise<PreflightReport> {
  const checks: PreflightCheck[] = [];
  const missingScopes: PreflightReport['missingScopes'] = [];
  const failed = (err: unknown) => (Code.is(err) ? `${err.code}: ${err.message}` : String(err));

  try {
    await api.tenantTokens.get();
    checks.push({ name: 'credentials', ok: true, detail: 'tenant_access_token obtained' });
  } catch (err) {
    checks.push({ name: 'credentials', ok: false, detail: failed(err) });
    return { ok: false, checks, missingScopes };
  }
  checks.push(
    config.redirectUri
      ? { name: 'redirectUri', ok: true, detail: `${config.redirectUri} (must be listed under Security Settings → Redirect URLs)` }
      : { name: 'redirectUri', ok: false, detail: 'redirectUri is not set: the QR-code and redirect flows need one' },
  );

  let sample: FeishuContactUser | undefined;
  try {
    const children = await api.departmentChildren('0', 'open_id');
    checks.push({ name: 'contact: departments', ok: true, detail: `${children.items?.length ?? 0} top-level department(s) visible` });
    const firstDept = children.items?.[0]?.open_department_id ?? '0';
    sample = (await api.findByDepartment(firstDept, 'open_id')).items?.[0];
    checks.push({ name: 'contact: users', ok: true, detail: sample ? 'users visible' : 'no user visible in the first department' });
  } catch (err) {
    checks.push({ name: 'contact', ok: false, detail: `${failed(err)} — without contact permission logins still work, but department, position and leader fields stay empty` });
  }
  if (sample) {
    const full = await api.getUser(sample.open_id!, 'open_id').catch(() => sample!);
    for (const { field, scope, label } of FIELD_SCOPES) {
      if (full[field] === undefined) missingScopes.push({ scope, fields: [label] });
    }
    if (config.userIdType === 'user_id' && full.user_id === undefined) {
      checks.push({ name: 'userIdType', ok: false, detail: 'userIdType "user_id" needs contact:user.employee_id:readonly, which is missing: logins will fail' });
    }
  }
  return { ok: checks.every((c) => c.ok), checks, missingScopes };
}
