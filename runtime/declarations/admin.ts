import { TRANSLATED_LOCALES, type TranslatedLocale } from '../loader/i18n.js';

/** The languages of the admin page: English and those the loader translates into (loader/i18n.ts). */
export type AdminLocale = 'en' | TranslatedLocale;

/** A text of the admin page: one string for every language, or one per language. */
export type LocalizedText = string | Readonly<{ en: string } & Record<TranslatedLocale, string>>;

/** What a LocalizedText must be, for the messages about a bad one. */
export const LOCALIZED_TEXT_RULE = `a non-empty string, or { ${['en', ...TRANSLATED_LOCALES].map((l) => (/^\w+$/.test(l) ? l : `'${l}'`) + ": '…'").join(', ')} } (one non-empty string per language)`;

const TEXT_LOCALES: ReadonlyArray<AdminLocale> = ['en', ...TRANSLATED_LOCALES];

/** A LocalizedText in `locale` (English when it has no text for that language). */
export function textIn(text: LocalizedText, locale: AdminLocale): string {
  if (typeof text === 'string') return text;
  const own = (text as Partial<Record<AdminLocale, unknown>>)[locale];
  return typeof own === 'string' ? own : text.en;
}

/** Whether `value` is a LocalizedText (`empty`: whether an empty string passes, as a table cell may be). */
export function isLocalizedText(value: unknown, options: { empty?: boolean } = {}): value is LocalizedText {
  const ok = (v: unknown) => typeof v === 'string' && (options.empty === true || v.trim() !== '');
  if (typeof value === 'string') return ok(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === TEXT_LOCALES.length && TEXT_LOCALES.every((l) => Object.hasOwn(value, l) && ok((value as Record<string, unknown>)[l]));
}

/**
 * What a Type offers on the admin page (`static admin`), by method name. The
 * admin API calls exactly the methods named here, for administrators only,
 * whether or not the Type's functionList lists them; the page draws what is
 * declared and knows nothing else of the element.
 *
 *   static admin: AdminDeclaration = {
 *     status: [
 *       { method: 'tokenStatus', title: 'Tenant token', text: (s) => (s.cached ? 'cached' : 'not cached') },
 *       { method: 'schedule', title: 'Next sync', text: (s) => s.next ?? 'not scheduled' },
 *     ],
 *     actions: [
 *       { method: 'syncDepartmentInfo', title: 'Sync departments', progress: true, refreshes: ['getOrgTree'] },
 *       { method: 'retryEvent', title: 'Retry event', params: true, button: false, refreshes: ['failedEvents'] },
 *     ],
 *     views: [
 *       { method: 'getOrgTree', title: 'Organization', tree: (rows) => rows.map(…) },
 *       { method: 'failedEvents', title: 'Failed events', table: (events) => ({
 *           columns: ['Event', 'Error'],
 *           rows: events.map((e) => ({ cells: [e.id, e.error], actions: [{ action: 'retryEvent', title: 'Retry', params: { eventId: e.id } }] })),
 *         }) },
 *     ],
 *   };
 *
 * The functions (`text`, `tree`, `table`) run on the server, so a Type shapes
 * what the page shows without shipping browser code.
 *
 * Every text may speak the page's languages: a string (the same in all), or
 * `{ en: 'Sync departments', 'zh-CN': '同步部门' }` (a LocalizedText), resolved
 * for the request's language before it reaches the browser. The functions get
 * that language as their last argument, for sentences they build.
 */
export interface AdminDeclaration {
  /** One status line, or several (shown in order). */
  status?: AdminStatus | ReadonlyArray<AdminStatus>;
  actions?: ReadonlyArray<AdminAction>;
  views?: ReadonlyArray<AdminView>;
}

/** One line about the instance's state, shown beside it. */
export interface AdminStatus {
  /** Called with no arguments (may be async); its answer also goes to the page as `value`. Lines naming the same method share one call. */
  method: string;
  title: LocalizedText;
  /** The line shown, in the request's language; default the answer as JSON. */
  text?(value: any, locale: AdminLocale): LocalizedText;
}

/** A button (or a table row's button) that runs a method in the background, with its outcome (and progress) streamed to the page. */
export interface AdminAction {
  /** Called as `method({ ...params, onProgress })`; params are checked against the functionList entry of that name, if any. */
  method: string;
  /** Also the button's label. */
  title: LocalizedText;
  /**
   * The action takes params (a flat object of strings, numbers and booleans: ADMIN_PARAMS_LIMITS), as a
   * table row's action sends them. Without it the admin API refuses any param.
   */
  params?: boolean;
  /** A button beside the instance (started with no params); default true. False for an action started only from table rows. */
  button?: boolean;
  /** The method reports progress through `onProgress(progress)`; each update reaches the page as it happens. */
  progress?: boolean;
  /** The line shown for a progress update or the end ('done'), in the language of the request that started it; default the status. A failure shows its message. */
  text?(progress: Record<string, any>, status: 'running' | 'done', locale: AdminLocale): LocalizedText;
  /** Views (by method) the page redraws when the action ends. */
  refreshes?: ReadonlyArray<string>;
}

/** Read-only data drawn on the page: a tree or a table, by which function it declares. */
export type AdminView = AdminTreeView | AdminTableView;

interface AdminViewBase {
  /** Called with no arguments (may be async). */
  method: string;
  title: LocalizedText;
  /** Shown when the tree has no node, or the table no row. */
  empty?: LocalizedText;
}

export interface AdminTreeView extends AdminViewBase {
  /** The method's answer as tree nodes: a node whose parent is not in the list is a root. */
  tree(value: any, locale: AdminLocale): AdminTreeNode[];
  table?: never;
}

export interface AdminTableView extends AdminViewBase {
  /** The method's answer as a table; checked when served (each row one cell per column, row actions declared). */
  table(value: any, locale: AdminLocale): AdminTable;
  tree?: never;
}

export interface AdminTreeNode {
  id: string;
  parentId?: string | null;
  label: LocalizedText;
}

export interface AdminTable {
  columns: LocalizedText[];
  rows: AdminTableRow[];
}

export interface AdminTableRow {
  /** One text per column. */
  cells: LocalizedText[];
  /** Buttons on the row; the page redraws the view when one ends. */
  actions?: AdminRowAction[];
}

/** Runs a declared action with these params; an action that takes any must declare `params: true`. */
export interface AdminRowAction {
  /** The method of one of `static admin.actions`. */
  action: string;
  title: LocalizedText;
  params: AdminParams;
}

export type AdminParams = Record<string, string | number | boolean>;

/** What params an admin action may be sent: few, short, flat. */
export const ADMIN_PARAMS_LIMITS = { keys: 20, keyLength: 64, textLength: 500 } as const;

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `params` is not a flat object of scalars within ADMIN_PARAMS_LIMITS, or undefined. */
export function adminParamsProblem(params: unknown): string | undefined {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return 'params must be an object of strings, numbers and booleans.';
  const entries = Object.entries(params);
  if (entries.length > ADMIN_PARAMS_LIMITS.keys) return `params may have at most ${ADMIN_PARAMS_LIMITS.keys} keys.`;
  for (const [key, value] of entries) {
    if (key.length > ADMIN_PARAMS_LIMITS.keyLength || !PARAM_NAME.test(key) || key === '__proto__') return `params: ${JSON.stringify(key.slice(0, ADMIN_PARAMS_LIMITS.keyLength))} is not a parameter name (letters, digits and _).`;
    if (typeof value === 'string' ? value.length > ADMIN_PARAMS_LIMITS.textLength : !(typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) {
      return `params.${key} must be a string of at most ${ADMIN_PARAMS_LIMITS.textLength} characters, a finite number or a boolean.`;
    }
  }
  return undefined;
}

/** A class's admin declaration (its own or inherited `static admin`), or undefined. */
export function adminOf(cls: unknown): AdminDeclaration | undefined {
  const admin = typeof cls === 'function' ? (cls as { admin?: unknown }).admin : undefined;
  return admin !== null && typeof admin === 'object' ? (admin as AdminDeclaration) : undefined;
}

/** The declared status lines, one or several, as a list. */
export function statusLinesOf(admin: AdminDeclaration): ReadonlyArray<AdminStatus> {
  const { status } = admin;
  return status === undefined ? [] : Array.isArray(status) ? status : [status as AdminStatus];
}
