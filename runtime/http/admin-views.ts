import { adminParamsProblem, isLocalizedText, textIn, type AdminDeclaration, type AdminLocale, type AdminParams, type AdminView, type LocalizedText } from '../declarations/admin.js';
import { HttpErrors } from './http-errors.js';

/** A tree node, a table row and a row action as the page gets them: every text in the request's language. */
export interface DrawnNode {
  id: string;
  parentId?: string | null;
  label: string;
}
export interface DrawnRowAction {
  action: string;
  title: string;
  params: AdminParams;
}
export interface DrawnRow {
  cells: string[];
  actions: DrawnRowAction[];
}

/** What GET …/views/:view answers: the view drawn by its `tree` or its `table`. */
export type DrawnView = { kind: 'tree'; nodes: DrawnNode[] } | { kind: 'table'; columns: string[]; rows: DrawnRow[] };

/**
 * A view's answer drawn for the page, its texts in `locale` (each may be a string
 * or { en, 'zh-CN' }). A table is checked here, where it is made (the loader sees
 * only the declaration, not what table() returns): one text per column, and each
 * row action a declared action the page can start with exactly those params — so
 * a row button never sends what the actions route would refuse.
 */
export function drawView(view: AdminView, declaration: AdminDeclaration, value: unknown, locale: AdminLocale): DrawnView {
  const text = (t: LocalizedText) => textIn(t, locale);
  if (view.tree) return { kind: 'tree', nodes: view.tree(value, locale).map((n) => ({ ...n, label: isLocalizedText(n.label, { empty: true }) ? text(n.label) : String(n.label) })) };
  const table: unknown = view.table!(value, locale);
  const malformed = (problem: string) => HttpErrors.INTERNAL.create({ context: `the view "${view.method}" answered a malformed table: ${problem}` });
  if (!isRecord(table) || !isTextList(table['columns']) || !Array.isArray(table['rows'])) throw malformed('it must be { columns: text[], rows: [{ cells, actions? }] } (a text is a string or { en, \'zh-CN\' })');
  const columns = table['columns'];
  const rows = table['rows'].map((row: unknown, i) => {
    if (!isRecord(row) || !isTextList(row['cells']) || row['cells'].length !== columns.length) throw malformed(`row ${i} must have cells: ${columns.length} string(s), one per column`);
    const actions = row['actions'] ?? [];
    if (!Array.isArray(actions)) throw malformed(`row ${i}: actions must be an array`);
    return { cells: row['cells'].map(text), actions: actions.map((a: unknown, j) => rowAction(a, declaration, locale, (p) => malformed(`row ${i}, action ${j}: ${p}`))) };
  });
  return { kind: 'table', columns: columns.map(text), rows };
}

function rowAction(candidate: unknown, declaration: AdminDeclaration, locale: AdminLocale, malformed: (problem: string) => Error): DrawnRowAction {
  if (!isRecord(candidate) || typeof candidate['action'] !== 'string' || !isLocalizedText(candidate['title'])) throw malformed('it must be { action, title, params } (title a string or { en, \'zh-CN\' })');
  const { action, title, params } = candidate;
  const declared = declaration.actions?.find((a) => a.method === action);
  if (!declared) throw malformed(`"${action}" is not one of static admin.actions`);
  const problem = adminParamsProblem(params);
  if (problem) throw malformed(problem);
  if (Object.keys(params as object).length > 0 && declared.params !== true) throw malformed(`the action "${action}" takes no params (it does not declare params: true)`);
  return { action, title: textIn(title, locale), params: params as AdminParams };
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isTextList = (value: unknown): value is LocalizedText[] => Array.isArray(value) && value.every((v) => isLocalizedText(v, { empty: true }));
