import type { SandboxEvents } from '../events/hub.js';
import { SubscriptionRefused } from '../events/subscriptions.js';
import { json, type Reply } from '../http.js';
import type { ControlRoute } from './control-table.js';

/**
 * Event controls: subscriptions, deliveries, and the disorder Feishu may cause, on demand.
 *
 * | route                                              | body / query                    | answers                    |
 * |----------------------------------------------------|---------------------------------|----------------------------|
 * | POST   /_sandbox/apps/:appId/events                | {mode, callbackUrl?, encryptKey?, verificationToken?, eventTypes?} | the setting (no secrets); 400 {error, reason} if refused |
 * | GET    /_sandbox/apps/:appId/events                | —                               | the setting (no secrets)   |
 * | GET    /_sandbox/events/deliveries                 | ?appId= &eventId= &eventType=   | {deliveries: [...]}        |
 * | POST   /_sandbox/events/deliveries/:eventId/duplicate | —                            | {delivery} (a copy, same event_id) |
 * | POST   /_sandbox/events/pause                      | —                               | {paused: true}             |
 * | POST   /_sandbox/events/resume                     | {order?: fifo|reversed|shuffled, seed?} | {paused: false}    |
 * | GET    /_sandbox/events/connections                | —                               | {connections: [...]}       |
 * | DELETE /_sandbox/events/connections                | ?appId=                         | {closed: n}                |
 * | GET    /_sandbox/events/settings                   | —                               | the settings               |
 * | POST   /_sandbox/events/settings                   | {timeScale?, deliveryTimeoutMs?, challengeTimeoutMs?, maxConnectionsPerApp?, clientConfig?} | the settings |
 */
const ORDERS = ['fifo', 'reversed', 'shuffled'];

export function eventControlRoutes(events: SandboxEvents): ControlRoute[] {
  return [
    { method: 'POST', path: /^\/_sandbox\/apps\/([^/]+)\/events$/, handle: ({ input, params }) => subscribe(events, params[0]!, input) },
    { method: 'GET', path: /^\/_sandbox\/apps\/([^/]+)\/events$/, handle: ({ params }) => json(events.subscription(params[0]!)) },
    {
      method: 'GET',
      path: /^\/_sandbox\/events\/deliveries$/,
      handle: ({ query }) => json({ deliveries: events.deliveries({ appId: query.get('appId') ?? undefined, eventId: query.get('eventId') ?? undefined, eventType: query.get('eventType') ?? undefined }) }),
    },
    { method: 'POST', path: /^\/_sandbox\/events\/deliveries\/([^/]+)\/duplicate$/, handle: ({ params }) => json({ delivery: events.duplicate(params[0]!) }) },
    {
      method: 'POST',
      path: /^\/_sandbox\/events\/pause$/,
      handle: () => {
        events.pause();
        return json({ paused: true });
      },
    },
    {
      method: 'POST',
      path: /^\/_sandbox\/events\/resume$/,
      handle: ({ input }) => {
        if (input.order !== undefined && !ORDERS.includes(input.order as string)) return json({ error: `order must be one of ${ORDERS.join(', ')}` }, 400);
        if (input.seed !== undefined && typeof input.seed !== 'number') return json({ error: 'seed must be a number' }, 400);
        events.resume(input.order as never, input.seed as number | undefined);
        return json({ paused: false });
      },
    },
    { method: 'GET', path: /^\/_sandbox\/events\/connections$/, handle: () => json({ connections: events.connections() }) },
    { method: 'DELETE', path: /^\/_sandbox\/events\/connections$/, handle: ({ query }) => json({ closed: events.closeConnections(query.get('appId') ?? undefined) }) },
    { method: 'GET', path: /^\/_sandbox\/events\/settings$/, handle: () => json(events.settings()) },
    { method: 'POST', path: /^\/_sandbox\/events\/settings$/, handle: ({ input }) => json(events.updateSettings(input)) },
  ];
}

async function subscribe(events: SandboxEvents, appId: string, input: Record<string, unknown>): Promise<Reply> {
  try {
    return json(await events.subscribe(appId, input));
  } catch (error) {
    if (error instanceof SubscriptionRefused) return json({ error: error.message, reason: error.reason }, 400);
    throw error;
  }
}
