import { isLocalizedText, LOCALIZED_TEXT_RULE } from './admin.js';
import { HOOK_METHODS, HOOK_PATH } from './endpoints.js';
import { ROLE_METHODS, ROLES, type Role } from './roles.js';

/**
 * Checks a loaded class's declarations (roles, admin, endpoints, cli,
 * devServers, services) when the loader builds it, so a malformed one fails that Type
 * (MODULE_EXPORT_INVALID, quarantined with its instances) instead of the
 * HTTP layer or the CLI later. A Type must implement every method its
 * declarations name; a Meta may leave them abstract. Returns the first
 * problem, or undefined.
 */
export function declarationsProblem(cls: Function, options: { meta: boolean }): string | undefined {
  const statics = cls as unknown as Record<string, unknown>;
  const method = (name: unknown, what: string): string | undefined => {
    if (typeof name !== 'string' || name === '' || name === 'constructor') return `${what} must name a method.`;
    if (!options.meta && typeof (cls.prototype as Record<string, unknown>)[name] !== 'function') return `${what} names "${name}", which the class does not implement.`;
    return undefined;
  };
  return rolesProblem(statics['roles'], method) ?? adminProblem(statics['admin'], method) ?? endpointsProblem(statics['endpoints'], method) ?? cliProblem(statics['cli'], statics['devServers']) ?? servicesProblem(statics['services'], method);
}

type MethodCheck = (name: unknown, what: string) => string | undefined;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
const optionalFunction = (value: unknown) => value === undefined || typeof value === 'function';

function rolesProblem(roles: unknown, method: MethodCheck): string | undefined {
  if (roles === undefined) return undefined;
  if (!Array.isArray(roles)) return '`static roles` must be an array of role names.';
  for (const role of roles) {
    if (!(ROLES as ReadonlyArray<unknown>).includes(role)) return `\`static roles\`: unknown role ${JSON.stringify(role)}; roles are ${ROLES.join(', ')}.`;
    for (const name of ROLE_METHODS[role as Role]) {
      const problem = method(name, `The "${String(role)}" role`);
      if (problem) return `${problem} Every ${String(role)} element implements ${ROLE_METHODS[role as Role].join(', ')}.`;
    }
  }
  return undefined;
}

/**
 * Why a declared text is not a LocalizedText, naming where it is and what it may be; undefined when it is
 * one (or absent and optional). Only an object's bad shape is reported here: a missing or non-text value
 * reads as the bad shape of what holds it.
 */
function textProblem(value: unknown, where: string, optional = false): string | undefined {
  if (value === undefined && optional) return undefined;
  if (!isObject(value) || isLocalizedText(value)) return undefined;
  return `\`${where}\` is not a text: it must be ${LOCALIZED_TEXT_RULE}.`;
}

function adminProblem(admin: unknown, method: MethodCheck): string | undefined {
  if (admin === undefined) return undefined;
  if (!isObject(admin)) return '`static admin` must be an object { status?, actions?, views? }.';
  const { status, actions = [], views = [] } = admin;
  // One status line, or a list of them (each named by its index, so the broken one is found).
  const lines = Array.isArray(status) ? status : status === undefined ? [] : [status];
  for (const [i, line] of lines.entries()) {
    const where = Array.isArray(status) ? `\`static admin.status[${i}]\`` : '`static admin.status`';
    if (isObject(line)) {
      const problem = textProblem(line['title'], `static admin.status${Array.isArray(status) ? `[${i}]` : ''}.title`);
      if (problem) return problem;
    }
    if (!isObject(line) || !isLocalizedText(line['title']) || !optionalFunction(line['text'])) return `${where} must be { method, title, text?(value) } (status may also be an array of them).`;
    const problem = method(line['method'], where);
    if (problem) return problem;
  }
  if (!Array.isArray(views)) return '`static admin.views` must be an array.';
  const viewNames = new Set<unknown>();
  for (const [i, view] of views.entries()) {
    const shape = 'Each of `static admin.views` must be { method, title, tree(value) or table(value), empty? }.';
    if (isObject(view)) {
      const problem = textProblem(view['title'], `static admin.views[${i}].title`) ?? textProblem(view['empty'], `static admin.views[${i}].empty`, true);
      if (problem) return problem;
    }
    if (!isObject(view) || !isLocalizedText(view['title']) || (view['empty'] !== undefined && !isLocalizedText(view['empty'], { empty: true }))) return shape;
    // A view is drawn one way: the page picks tree or table by which function is there.
    const draws = (['tree', 'table'] as const).filter((f) => view[f] !== undefined);
    if (draws.length === 2) return `The view "${String(view['method'])}" of \`static admin\` declares both tree() and table(); a view is one or the other.`;
    if (draws.length === 0 || typeof view[draws[0]!] !== 'function') return shape;
    const problem = method(view['method'], 'A view of `static admin`') ?? (viewNames.has(view['method']) ? `\`static admin.views\` declares "${String(view['method'])}" twice.` : undefined);
    if (problem) return problem;
    viewNames.add(view['method']);
  }
  if (!Array.isArray(actions)) return '`static admin.actions` must be an array.';
  const actionNames = new Set<unknown>();
  for (const [i, action] of actions.entries()) {
    const flag = (name: string) => action[name] === undefined || typeof action[name] === 'boolean';
    if (isObject(action)) {
      const problem = textProblem(action['title'], `static admin.actions[${i}].title`);
      if (problem) return problem;
    }
    if (!isObject(action) || !isLocalizedText(action['title']) || !optionalFunction(action['text']) || !flag('progress') || !flag('params') || !flag('button')) {
      return 'Each of `static admin.actions` must be { method, title, params?: boolean, button?: boolean, progress?: boolean, text?(progress, status), refreshes? }.';
    }
    const problem = method(action['method'], 'An action of `static admin`') ?? (actionNames.has(action['method']) ? `\`static admin.actions\` declares "${String(action['method'])}" twice.` : undefined);
    if (problem) return problem;
    actionNames.add(action['method']);
    const refreshes = action['refreshes'] ?? [];
    if (!Array.isArray(refreshes) || !refreshes.every((r) => viewNames.has(r))) return `The action "${String(action['method'])}" of \`static admin\` refreshes a view it does not declare.`;
  }
  return undefined;
}

function endpointsProblem(endpoints: unknown, method: MethodCheck): string | undefined {
  if (endpoints === undefined) return undefined;
  if (!Array.isArray(endpoints)) return '`static endpoints` must be an array.';
  const seen = new Set<string>();
  for (const e of endpoints) {
    const shape = '{ method, path, access, handler, body?, rateLimit? }';
    if (!isObject(e)) return `Each of \`static endpoints\` must be ${shape}.`;
    const where = `The endpoint ${String(e['method'])} ${String(e['path'])}`;
    if (!(HOOK_METHODS as ReadonlyArray<unknown>).includes(e['method'])) return `${where}: method must be one of ${HOOK_METHODS.join(', ')}.`;
    if (typeof e['path'] !== 'string' || !HOOK_PATH.test(e['path'])) return `${where}: path must be segments of letters, digits, _ and - separated by / (no leading slash).`;
    if (!['public', 'user', 'admin'].includes(e['access'] as string)) return `${where}: access must be public, user or admin (there is no default: say who may call it).`;
    if (e['body'] !== undefined && e['body'] !== 'json' && e['body'] !== 'raw') return `${where}: body must be "json" or "raw".`;
    if (e['rateLimit'] !== undefined && e['rateLimit'] !== 'signIn') return `${where}: rateLimit must be "signIn".`;
    const key = `${String(e['method'])} ${String(e['path'])}`;
    if (seen.has(key)) return `${where} is declared twice.`;
    seen.add(key);
    const problem = method(e['handler'], where);
    if (problem) return problem;
  }
  return undefined;
}

const COMMAND_NAME = /^[a-z][a-z0-9-]*$/;

function cliProblem(cli: unknown, devServers: unknown): string | undefined {
  if (cli !== undefined) {
    if (!Array.isArray(cli)) return '`static cli` must be an array of commands.';
    for (const c of cli) {
      if (!isObject(c) || typeof c['name'] !== 'string' || !COMMAND_NAME.test(c['name'])) return 'Each of `static cli` needs a name of lower-case letters, digits and -.';
      if (!isText(c['description']) || typeof c['run'] !== 'function') return `The command "${c['name']}" of \`static cli\` needs a description and run(options, context).`;
      const options = c['options'] ?? [];
      if (!Array.isArray(options) || !options.every((o) => isObject(o) && isText(o['flags']) && typeof o['description'] === 'string')) return `The command "${c['name']}": options must be [{ flags, description, default? }].`;
      const args = c['arguments'] ?? [];
      if (!Array.isArray(args) || !args.every((a) => isObject(a) && typeof a['name'] === 'string' && /^(<[^>]+>|\[[^\]]+\])$/.test(a['name']))) return `The command "${c['name']}": arguments must be [{ name: '<x>' or '[x]', description }].`;
    }
  }
  if (devServers !== undefined) {
    if (!Array.isArray(devServers)) return '`static devServers` must be an array.';
    for (const d of devServers) {
      if (!isObject(d) || typeof d['option'] !== 'string' || !/^--[a-z][a-z0-9-]*( (<[^>]+>|\[[^\]]+\]))?$/.test(d['option'])) return "Each of `static devServers` needs an option such as '--companion [port]'.";
      if (!isText(d['description']) || typeof d['start'] !== 'function') return `The dev server ${d['option']} needs a description and start(value, context).`;
    }
  }
  return undefined;
}

function servicesProblem(services: unknown, method: MethodCheck): string | undefined {
  if (services === undefined) return undefined;
  if (!Array.isArray(services)) return '`static services` must be an array of { name, method }.';
  const names = new Set<unknown>();
  for (const service of services) {
    if (!isObject(service) || !isText(service['name'])) return 'Each of `static services` must be { name, method }.';
    const problem = method(service['method'], `The service "${String(service['name'])}"`) ?? (names.has(service['name']) ? `\`static services\` declares "${String(service['name'])}" twice.` : undefined);
    if (problem) return problem;
    names.add(service['name']);
  }
  return undefined;
}
