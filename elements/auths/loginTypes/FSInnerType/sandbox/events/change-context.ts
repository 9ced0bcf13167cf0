import type { SandboxApp } from '../apps.js';
import type { SandboxState } from '../context.js';
import type { ContactEventType } from './types.js';

/** What the org-change functions need: the sandbox's state, who listens, and a way to push. */
export interface ChangeContext {
  state: SandboxState;
  /** Apps that subscribed to `type` and may receive it at all (audience.ts); the range is checked by the caller. */
  audience(type: ContactEventType): SandboxApp[];
  /** Wraps `event` in an envelope for `app`, queues its delivery, and returns the event_id. */
  publish(app: SandboxApp, type: ContactEventType, event: Record<string, unknown>): string;
}

/** What every change answers: the ids of the events it pushed, one per app and event. */
export interface ChangeResult {
  eventIds: string[];
}
