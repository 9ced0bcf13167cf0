// What an element declares to plug into the runtime, one file per declaration:
//   roles.ts      static roles       — what it is (login), and the methods that role implies
//   admin.ts      static admin       — status, actions and views on the admin page
//   endpoints.ts  static endpoints   — HTTP endpoints under /hooks/<fullName as path>/
//   commands.ts   static cli         — `jit` commands; static devServers — companions of `jit serve`
//   services.ts   static services   — work run per instance while the app is served (a long connection, a schedule)
//   check.ts      the loader's check of all of them when a class loads
export { ROLES, ROLE_METHODS, hasRole, rolesOf, type LoginElement, type Role, type UserCard } from './roles.js';
export { adminOf, type AdminAction, type AdminDeclaration, type AdminStatus, type AdminTreeNode, type AdminView } from './admin.js';
export { endpointsOf, HOOK_METHODS, type EndpointDeclaration, type HookMethod, type HookReply, type HookRequest } from './endpoints.js';
export { commandsOf, devServersOf, type CommandContext, type CommandDeclaration, type CommandOption, type DevServerContext, type DevServerDeclaration, type RunningDevServer } from './commands.js';
export { servicesOf, type ServiceDeclaration } from './services.js';
