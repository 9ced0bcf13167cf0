import { Code } from '../../../../runtime/errcode.js';
import { FeishuOutOfRange } from './feishu-errors.js';
import type { FSInnerConfig } from './config.js';
import { ROOT_DEPARTMENT_ID, type FeishuApi } from './feishu/api.js';
import type { ContactScopesPage, FeishuContactUser, FeishuDepartment } from './feishu/types.js';
import { features as featureCatalogue, type Evidence, type FeatureName, type Level, type Requirement } from './permissions.js';

export interface PreflightCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface MissingPermission {
  /** The exact permission string to enable in the developer console. */
  permission: string;
  /** api: the endpoint answers 99991672 and the call fails; field: the call works, the fields stay unknown. */
  level: Level;
  /** Permissions that would do instead (any one) for every cost listed. */
  alternatives: string[];
  /** What the feature loses while it is missing (each need it serves, joined). */
  cost: string;
  /** Without it the feature does not work at all. */
  fatal: boolean;
}

export interface FeatureReport {
  feature: FeatureName;
  title: string;
  /** Every permission the feature relies on is there. */
  ok: boolean;
  /** No missing permission stops the feature from working. */
  works: boolean;
  /** Permissions that are there (granted, or stood in for by one of their alternatives). */
  granted: string[];
  missing: MissingPermission[];
  /** Permissions checkConfig could not tell about, and why (no user visible to sample, Feishu did not answer…). */
  unknown: Array<{ permission: string; level: Level; reason: string }>;
  notes: string[];
}

export interface PreflightReport {
  /** Every check passes and every feature works (a missing field permission leaves ok true: the fields stay unknown). */
  ok: boolean;
  checks: PreflightCheck[];
  /** Per feature: which permissions are granted, which are missing and what each missing one costs. */
  features: FeatureReport[];
  /** Every missing permission once, with its level and the features that rely on it. */
  missingScopes: Array<{ scope: string; level: Level; features: FeatureName[] }>;
}

type State = 'granted' | 'missing' | 'unknown';
type ApiProbe = Extract<Evidence, { api: unknown }>['api'];

/** What the probes found out: per endpoint whether its API-level permission is there, and samples to look for fields in. */
interface Findings {
  api: Partial<Record<ApiProbe, { state: State; reason?: string }>>;
  users: FeishuContactUser[];
  departments: FeishuDepartment[];
  /** Why nothing could be sampled, when nothing was. */
  blind?: string;
}

type Probe<T> = { state: 'granted'; value?: T; feishuCode?: number; error?: unknown } | { state: 'missing'; error: unknown } | { state: 'unknown'; error: unknown };

const NO_API_PERMISSION = new Set([99991672, 99991676]);
const RANGE_ERRORS: ReadonlySet<number> = new Set(Object.values(FeishuOutOfRange));

/**
 * Answers the questions every Feishu integration hits: do the credentials work, is a redirect URI
 * set, what does the contact range cover, and — per feature — which permissions are granted and
 * what each missing one costs. Feishu has no "list my permissions" call for this, so it finds out
 * the way a real call would: it asks each contact endpoint the features use once (a 99991672 names
 * a missing API-level permission), and looks for each field permission's fields in what comes
 * back (a field that Feishu always sends when granted — status, department_ids, user_id,
 * parent_department_id — tells for sure; email and mobile only when some sampled user has one).
 * About eight requests; it reports, it never throws for Feishu's sake.
 */
export async function runPreflight(api: FeishuApi, config: FSInnerConfig): Promise<PreflightReport> {
  const checks: PreflightCheck[] = [];
  const findings: Findings = { api: {}, users: [], departments: [] };

  try {
    await api.tenantTokens.get();
    checks.push({ name: 'credentials', ok: true, detail: 'tenant_access_token obtained' });
  } catch (err) {
    checks.push({ name: 'credentials', ok: false, detail: describe(err) });
    return report(config, checks, { ...findings, blind: 'the credentials were rejected' });
  }
  checks.push(
    config.redirectUri
      ? { name: 'redirectUri', ok: true, detail: `${config.redirectUri} (must be listed under Security Settings → Redirect URLs)` }
      : { name: 'redirectUri', ok: false, detail: 'redirectUri is not set: the QR-code and redirect flows need one' },
  );
  checks.push(await probeContact(api, config, findings));
  return report(config, checks, findings);
}

/**
 * Probes the contact endpoints (always with open ids, so user_id_type is not what is tested) and
 * returns the contact-range check. When the sync's starting point lies outside the contact range,
 * the range itself (GET /contact/v3/scopes) supplies the departments and users to sample.
 */
async function probeContact(api: FeishuApi, config: FSInnerConfig, findings: Findings): Promise<PreflightCheck> {
  const root = config.syncRootDepartments?.[0] ?? ROOT_DEPARTMENT_ID;
  const children = await probe(() => api.departmentChildren(root, 'open_id'));
  const outOfRange = children.state === 'granted' && children.feishuCode !== undefined && RANGE_ERRORS.has(children.feishuCode);
  if (children.state === 'granted') findings.departments.push(...(children.value?.items ?? []));
  const range = outOfRange ? await probe(() => api.contactScopes('open_id')) : undefined;
  const listed = range?.state === 'granted' ? range.value : undefined;

  let listing: Probe<{ items?: FeishuContactUser[] }> = { state: 'unknown', error: 'not asked' };
  const sources = [...findings.departments.map((d) => d.open_department_id), ...(listed?.department_ids ?? [])].slice(0, 3);
  for (const deptId of outOfRange ? sources : [...sources, root]) {
    listing = await probe(() => api.findByDepartment(deptId, 'open_id'));
    if (listing.state === 'granted') findings.users.push(...(listing.value?.items ?? []));
    if (listing.state !== 'granted' || findings.users.length > 0) break;
  }
  findings.api.department_listings = both(children, listing);

  const user = await probe(() => api.getUser(findings.users[0]?.open_id ?? listed?.user_ids?.[0] ?? 'ou_jit_preflight_probe', 'open_id'));
  if (user.state === 'granted' && user.value) findings.users.unshift(user.value);
  findings.api.user_get = outcome(user);

  const deptId = sources[0] ?? findings.users.flatMap((u) => u.department_ids ?? []).find((d) => d !== ROOT_DEPARTMENT_ID) ?? 'od-jit-preflight-probe';
  const batch = await probe(() => api.departmentsBatch([deptId], 'open_id'));
  if (batch.state === 'granted') findings.departments.push(...(batch.value ?? []));
  findings.api.departments_batch = outcome(batch);
  const single = await probe(() => api.getDepartment(deptId, 'open_id'));
  if (single.state === 'granted' && single.value) findings.departments.push(single.value);
  findings.api.department_get = outcome(single);
  if (findings.users.length === 0) findings.blind = 'no user was visible to sample';

  return rangeCheck(root, children, range);
}

/** Whether the sync's starting point lies in the app's contact range; when not, what the range holds. */
function rangeCheck(root: string, children: Probe<{ items?: FeishuDepartment[] }>, range: Probe<ContactScopesPage> | undefined): PreflightCheck {
  const name = 'contact range';
  const fromRoot = root === ROOT_DEPARTMENT_ID;
  if (children.state === 'granted' && children.feishuCode === undefined) {
    const count = children.value?.items?.length ?? 0;
    return { name, ok: true, detail: fromRoot ? `all members: ${count} top-level department(s) visible` : `syncRootDepartments: ${root} visible, ${count} sub-department(s)` };
  }
  if (range) {
    const holds =
      range.state === 'granted' && range.value
        ? `it holds ${range.value.department_ids?.length ?? 0} department(s) (${(range.value.department_ids ?? []).join(', ') || 'none'}) and ${range.value.user_ids?.length ?? 0} user(s) listed one by one`
        : `it could not be listed (${describe(range.error)})`;
    const fix = fromRoot ? 'a sync from the root fails; set syncRootDepartments to departments in the range, or widen the range to all members' : `syncRootDepartments "${root}" lies outside it`;
    return { name, ok: false, detail: `The app's contact range does not cover ${fromRoot ? 'the whole organization' : root} (Feishu ${children.state === 'granted' ? children.feishuCode : '?'}): ${fix}; ${holds}.` };
  }
  if (children.state === 'granted') return { name, ok: false, detail: `${root}: ${describe(children.error)}` };
  return { name, ok: false, detail: `could not be checked: ${describe(children.error)} — logins still work without contact permissions, but departments, position, status and leader flags stay unknown` };
}

function report(config: FSInnerConfig, checks: PreflightCheck[], findings: Findings): PreflightReport {
  const features = featureCatalogue(config).map((feature): FeatureReport => {
    const assessed = feature.requirements.map((requirement) => ({ requirement, ...assess(requirement.evidence, findings) }));
    const byPermission = new Map<string, typeof assessed>();
    for (const a of assessed) byPermission.set(a.requirement.permission, [...(byPermission.get(a.requirement.permission) ?? []), a]);
    const granted: string[] = [];
    const missing: MissingPermission[] = [];
    const unknown: FeatureReport['unknown'] = [];
    for (const [permission, all] of byPermission) {
      const lacking = all.filter((a) => a.state === 'missing');
      const unclear = all.filter((a) => a.state === 'unknown');
      if (lacking.length > 0) missing.push(merge(permission, lacking.map((a) => a.requirement)));
      else if (unclear.length > 0) unknown.push({ permission, level: levelOf(unclear.map((a) => a.requirement)), reason: unclear.map((a) => a.reason).join('; ') });
      else granted.push(permission);
    }
    return { feature: feature.name, title: feature.title, ok: missing.length === 0, works: missing.every((m) => !m.fatal), granted, missing, unknown, notes: feature.notes };
  });
  const missingScopes = new Map<string, { scope: string; level: Level; features: FeatureName[] }>();
  for (const f of features) {
    for (const m of f.missing) {
      const entry = missingScopes.get(m.permission) ?? { scope: m.permission, level: m.level, features: [] };
      if (m.level === 'api') entry.level = 'api';
      entry.features.push(f.feature);
      missingScopes.set(m.permission, entry);
    }
  }
  return { ok: checks.every((c) => c.ok) && features.every((f) => f.works), checks, features, missingScopes: [...missingScopes.values()] };
}

/** One permission's missing requirements as one entry: API-level if any is, its costs joined, the alternatives every one accepts. */
function merge(permission: string, requirements: Requirement[]): MissingPermission {
  const alternatives = requirements.map((r) => r.alternatives).reduce((a, b) => a.filter((x) => b.includes(x)));
  return { permission, level: levelOf(requirements), alternatives: [...alternatives], cost: requirements.map((r) => r.cost).join('; '), fatal: requirements.some((r) => r.fatal) };
}

const levelOf = (requirements: Requirement[]): Level => (requirements.some((r) => r.level === 'api') ? 'api' : 'field');

function assess(evidence: Evidence, findings: Findings): { state: State; reason?: string } {
  if ('api' in evidence) return findings.api[evidence.api] ?? { state: 'unknown', reason: findings.blind ?? 'not asked' };
  const [samples, kind] = 'userFields' in evidence ? [findings.users as object[], 'user'] : [findings.departments as object[], 'department'];
  const fields = 'userFields' in evidence ? evidence.userFields : evidence.departmentFields;
  if (samples.length === 0) return { state: 'unknown', reason: findings.blind ?? `no ${kind} was visible to sample` };
  if (samples.some((s) => fields.some((f) => (s as Record<string, unknown>)[f] !== undefined))) return { state: 'granted' };
  // A field Feishu always sends when granted tells for sure; an optional one (email, mobile) only when someone has it.
  if (evidence.alwaysSent) return { state: 'missing' };
  return { state: 'unknown', reason: `none of the ${samples.length} sampled ${kind}s has ${fields.join(' or ')}: the permission is missing, or nobody has one` };
}

/** A call's verdict on its API-level permission: 99991672 missing; a contact error (4xxxx: bad id, out of range) got past the check; anything else unknown. */
async function probe<T>(call: () => Promise<T>): Promise<Probe<T>> {
  try {
    return { state: 'granted', value: await call() };
  } catch (error) {
    const feishuCode = Code.is(error) ? error.details?.['feishuCode'] : undefined;
    if (typeof feishuCode === 'number' && NO_API_PERMISSION.has(feishuCode)) return { state: 'missing', error };
    if (typeof feishuCode === 'number' && feishuCode >= 40_000 && feishuCode < 50_000) return { state: 'granted', feishuCode, error };
    return { state: 'unknown', error };
  }
}

function outcome(p: Probe<unknown>): { state: State; reason?: string } {
  return p.state === 'unknown' ? { state: 'unknown', reason: describe(p.error) } : { state: p.state };
}

/** Both listings (children, find_by_department) take the same API-level permissions: missing if either says so. */
function both(a: Probe<unknown>, b: Probe<unknown>): { state: State; reason?: string } {
  if (a.state === 'missing' || b.state === 'missing') return { state: 'missing' };
  if (a.state === 'unknown') return outcome(a);
  return outcome(b);
}

function describe(err: unknown): string {
  return Code.is(err) ? `${err.code}: ${err.message}` : String(err);
}
