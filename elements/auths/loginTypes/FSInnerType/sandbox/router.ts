import type { Route } from './context.js';

export interface Match {
  route: Route;
  params: string[];
}

/** Exact paths by map lookup, patterned ones in declaration order (fixed paths must win, e.g. /users/batch). */
export class Router {
  private readonly exact = new Map<string, Route>();
  private readonly patterned: Route[] = [];

  constructor(routes: Route[]) {
    for (const route of routes) {
      if (typeof route.path === 'string') this.exact.set(`${route.method} ${route.path}`, route);
      else this.patterned.push(route);
    }
  }

  match(method: string, path: string): Match | undefined {
    const route = this.exact.get(`${method} ${path}`);
    if (route) return { route, params: [] };
    for (const candidate of this.patterned) {
      if (candidate.method !== method) continue;
      const found = (candidate.path as RegExp).exec(path);
      if (!found) continue;
      try {
        return { route: candidate, params: found.slice(1).map((p) => decodeURIComponent(p)) };
      } catch {
        return undefined; // a malformed %-escape is no route at all
      }
    }
    return undefined;
  }
}
