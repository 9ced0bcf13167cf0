/**
 * What a Type offers on the admin page (`static admin`), by method name. The
 * admin API calls exactly the methods named here, for administrators only,
 * whether or not the Type's functionList lists them; the page draws what is
 * declared and knows nothing else of the element.
 *
 *   static admin: AdminDeclaration = {
 *     status: { method: 'tokenStatus', title: 'Tenant token', text: (s) => (s.cached ? 'cached' : 'not cached') },
 *     actions: [{ method: 'syncDepartmentInfo', title: 'Sync departments', progress: true, refreshes: ['getOrgTree'] }],
 *     views: [{ method: 'getOrgTree', title: 'Organization', tree: (rows) => rows.map(…) }],
 *   };
 *
 * The functions (`text`, `tree`) run on the server, so a Type shapes what the
 * page shows without shipping browser code.
 */
export interface AdminDeclaration {
  status?: AdminStatus;
  actions?: ReadonlyArray<AdminAction>;
  views?: ReadonlyArray<AdminView>;
}

/** One line about the instance's state, shown beside it. */
export interface AdminStatus {
  /** Called with no arguments (may be async); its answer also goes to the page as `value`. */
  method: string;
  title: string;
  /** The line shown; default the answer as JSON. */
  text?(value: any): string;
}

/** A button that runs a method in the background, with its outcome (and progress) streamed to the page. */
export interface AdminAction {
  /** Called as `method({ ...params, onProgress })`; params are checked against the functionList entry of that name, if any. */
  method: string;
  title: string;
  /** The method reports progress through `onProgress(progress)`; each update reaches the page as it happens. */
  progress?: boolean;
  /** The line shown for a progress update or the end ('done'); default the status. A failure shows its message. */
  text?(progress: Record<string, any>, status: 'running' | 'done'): string;
  /** Views (by method) the page redraws when the action ends. */
  refreshes?: ReadonlyArray<string>;
}

/** Read-only data drawn on the page. */
export interface AdminView {
  /** Called with no arguments (may be async). */
  method: string;
  title: string;
  /** Shown when the tree has no node. */
  empty?: string;
  /** The method's answer as tree nodes: a node whose parent is not in the list is a root. */
  tree(value: any): AdminTreeNode[];
}

export interface AdminTreeNode {
  id: string;
  parentId?: string | null;
  label: string;
}

/** A class's admin declaration (its own or inherited `static admin`), or undefined. */
export function adminOf(cls: unknown): AdminDeclaration | undefined {
  const admin = typeof cls === 'function' ? (cls as { admin?: unknown }).admin : undefined;
  return admin !== null && typeof admin === 'object' ? (admin as AdminDeclaration) : undefined;
}
