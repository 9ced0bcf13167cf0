import { SCOPES, hasAnyScope, type SandboxApp } from '../apps.js';
import type { ContactEventType, EventSubscription } from './types.js';

/**
 * Which apps are pushed a contact event (feishu-events-and-scopes.md §2.1, §2.4). Every row must hold:
 *
 * | rule                                                                        | source / choice                  |
 * |-----------------------------------------------------------------------------|----------------------------------|
 * | the app subscribed (mode webhook or websocket) and added this event type    | console setup §2.4               |
 * | the app holds contact:contact.base:readonly, contact:contact:readonly_as_app | §2.1 (any one; note that plain   |
 * |   or contact:contact:access_as_app                                          |   contact:contact:readonly is    |
 * |                                                                             |   not in the list)               |
 * | the app is active (not disabled, not uninstalled)                           | UNVERIFIED; conservative: none   |
 * | the user / department is inside the app's contact range                    | see the callers' tables          |
 *
 * The contact-range rule is documented for user.updated_v3 only; the sandbox applies it to every
 * user and department event (UNVERIFIED, §8.4 — the conservative choice: an app never learns of
 * people it cannot read). Which state is checked (before or after the change) is stated where each
 * event is built (user-changes.ts, department-changes.ts).
 */
export const EVENT_API_SCOPES: readonly string[] = [SCOPES.contactBase, SCOPES.contactReadAsApp, SCOPES.contactAccessAsApp];

export function receivesEvent(app: SandboxApp, subscription: EventSubscription | undefined, type: ContactEventType): boolean {
  if (!subscription || subscription.mode === 'none' || !subscription.eventTypes.includes(type)) return false;
  return app.status === 'active' && hasAnyScope(app, ...EVENT_API_SCOPES);
}
