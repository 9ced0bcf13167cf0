import type { OrgChanges } from '../events/org-changes.js';
import { json } from '../http.js';
import type { ControlRoute } from './control-table.js';

/**
 * Org changes over HTTP, each pushing the contact events it causes (events/org-changes.ts). Every
 * route answers `{ok: true, eventIds: [...]}`: one id per event and app, to wait for in
 * `GET /_sandbox/events/deliveries?eventId=…`. `:id` is any id of the user or department.
 *
 * | route                                          | body                                                   |
 * |------------------------------------------------|--------------------------------------------------------|
 * | POST   /_sandbox/org/users                     | {user_id, name, departments?, email?, mobile?, leader?, …} (+ openId) |
 * | POST   /_sandbox/org/users/:id                 | the fields to change: {name?, email?, mobile?, job_title?, leader?, …} |
 * | POST   /_sandbox/org/users/:id/move            | {departments: [ids]} (the first is the primary one)    |
 * | POST   /_sandbox/org/users/:id/freeze          | —                                                      |
 * | POST   /_sandbox/org/users/:id/unfreeze        | —                                                      |
 * | POST   /_sandbox/org/users/:id/resign          | —                                                      |
 * | DELETE /_sandbox/org/users/:id                 | — (Feishu's delete is resignation)                      |
 * | POST   /_sandbox/org/departments               | {department_id, name, parent?, leader?} (+ openDepartmentId) |
 * | POST   /_sandbox/org/departments/:id           | {name?, en_name?, order?, chat_id?, leader?}           |
 * | POST   /_sandbox/org/departments/:id/move      | {parent} ("0" = root)                                  |
 * | DELETE /_sandbox/org/departments/:id           | — (only an empty department)                           |
 * | POST   /_sandbox/apps/:appId/contact-range     | {contactScope: "all" | [department ids], contactUsers?: [user ids]} |
 */
const ok = (result: object) => json({ ok: true, ...result });

export function orgControlRoutes(changes: OrgChanges): ControlRoute[] {
  return [
    { method: 'POST', path: /^\/_sandbox\/org\/users$/, handle: ({ input }) => ok(changes.addUser(input as never)) },
    { method: 'POST', path: /^\/_sandbox\/org\/users\/([^/]+)\/move$/, handle: ({ input, params }) => ok(changes.moveUser(params[0]!, input.departments as string[])) },
    { method: 'POST', path: /^\/_sandbox\/org\/users\/([^/]+)\/freeze$/, handle: ({ params }) => ok(changes.freezeUser(params[0]!)) },
    { method: 'POST', path: /^\/_sandbox\/org\/users\/([^/]+)\/unfreeze$/, handle: ({ params }) => ok(changes.unfreezeUser(params[0]!)) },
    { method: 'POST', path: /^\/_sandbox\/org\/users\/([^/]+)\/resign$/, handle: ({ params }) => ok(changes.resignUser(params[0]!)) },
    { method: 'POST', path: /^\/_sandbox\/org\/users\/([^/]+)$/, handle: ({ input, params }) => ok(changes.updateUser(params[0]!, input)) },
    { method: 'DELETE', path: /^\/_sandbox\/org\/users\/([^/]+)$/, handle: ({ params }) => ok(changes.deleteUser(params[0]!)) },
    { method: 'POST', path: /^\/_sandbox\/org\/departments$/, handle: ({ input }) => ok(changes.addDepartment(input as never)) },
    { method: 'POST', path: /^\/_sandbox\/org\/departments\/([^/]+)\/move$/, handle: ({ input, params }) => ok(changes.moveDepartment(params[0]!, input.parent as string)) },
    { method: 'POST', path: /^\/_sandbox\/org\/departments\/([^/]+)$/, handle: ({ input, params }) => ok(changes.updateDepartment(params[0]!, input)) },
    { method: 'DELETE', path: /^\/_sandbox\/org\/departments\/([^/]+)$/, handle: ({ params }) => ok(changes.deleteDepartment(params[0]!)) },
    { method: 'POST', path: /^\/_sandbox\/apps\/([^/]+)\/contact-range$/, handle: ({ input, params }) => ok(changes.setContactRange(params[0]!, input as never)) },
  ];
}
