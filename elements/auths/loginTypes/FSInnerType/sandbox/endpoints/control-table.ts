import type { Reply } from '../http.js';

/** A control route with path parameters: the groups of `path` become `params`, %-decoded. */
export interface ControlRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  handle(request: ControlRequest): Reply | Promise<Reply>;
}

export interface ControlRequest {
  input: Record<string, unknown>;
  params: string[];
  query: URLSearchParams;
}

export function matchControl(routes: readonly ControlRoute[], method: string, path: string): { route: ControlRoute; params: string[] } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const found = route.path.exec(path);
    if (found) return { route, params: found.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}
