import { adminParamsProblem, type AdminDeclaration, type AdminRowAction, type AdminTableRow, type AdminTreeNode, type AdminView } from '../declarations/admin.js';
import { HttpErrors } from './http-errors.js';

/** What GET …/views/:view answers: the view drawn by its `tree` or its `table`. */
export type DrawnView = { kind: 'tree'; nodes: AdminTreeNode[] } | { kind: 'table'; columns: string[]; rows: Array<Required<AdminTableRow>> };

/**
 * A view's answer drawn for the page. A table is checked here, where it is made
 * (the loader sees only the declaration, not what table() returns): one text per
 * column, and each row action a declared action the page can start with exactly
 * those params — so a row button never sends what the actions route would refuse.
 */
export function drawView(view: AdminView, declaration: AdminDeclaration, value: unknown): DrawnView {
  if (view.tree) return { kind: 'tree', nodes: view.tree(value) };
  const table: unknown = view.table!(value);
  const malformed = (problem: string) => HttpErrors.INTERNAL.create({ context: `the view "${view.method}" answered a malformed table: ${problem}` });
  if (!isRecord(table) || !isTextList(table['columns']) || !Array.isArray(table['rows'])) throw malformed('it must be { columns: string[], rows: [{ cells, actions? }] }');
  const columns = table['columns'];
  const rows = table['rows'].map((row: unknown, i) => {
    if (!isRecord(row) || !isTextList(row['cells']) || row['cells'].length !== columns.length) throw malformed(`row ${i} must have cells: ${columns.length} string(s), one per column`);
    const actions = row['actions'] ?? [];
    if (!Array.isArray(actions)) throw malformed(`row ${i}: actions must be an array`);
    return { cells: row['cells'], actions: actions.map((a: unknown, j) => rowAction(a, declaration, (p) => malformed(`row ${i}, action ${j}: ${p}`))) };
  });
  return { kind: 'table', columns, rows };
}

function rowAction(candidate: unknown, declaration: AdminDeclaration, malformed: (problem: string) => Error): AdminRowAction {
  if (!isRecord(candidate) || typeof candidate['action'] !== 'string' || typeof candidate['title'] !== 'string') throw malformed('it must be { action, title, params }');
  const { action, title, params } = candidate;
  const declared = declaration.actions?.find((a) => a.method === action);
  if (!declared) throw malformed(`"${action}" is not one of static admin.actions`);
  const problem = adminParamsProblem(params);
  if (problem) throw malformed(problem);
  if (Object.keys(params as object).length > 0 && declared.params !== true) throw malformed(`the action "${action}" takes no params (it does not declare params: true)`);
  return { action, title, params: params as AdminRowAction['params'] };
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isTextList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');
