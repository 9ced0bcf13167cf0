import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { encryptEvent, signEvent } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/crypto.js';
import { FSInnerEventModel } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/models.js';
import { FSInnerAuthModel } from '../../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import type { FeishuUser } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { useHttpWorld, type HttpWorld } from '../../../../../runtime/http/http-world.js';
import type { Tree } from '../../../../../helpers/fixture.js';
import { INSTANCE } from '../harness.js';

/**
 * Pushes built the way Feishu builds them (feishu-events-and-scopes.md §1), with the element's own
 * crypto (encryptEvent, signEvent): no dependency on the sandbox's event pushing.
 */
export const TOKEN = 'vt-3f9a0c2e7b1d4c68a5e0';
export const KEY = 'ek-8b7d1f0a9c2e4d3b6a5f';
export const HOOK = `/hooks/${INSTANCE.split('.').join('/')}/events`;

export type Envelope = Record<string, unknown>;

/** A schema 2.0 envelope; create_time in ms as a string, as the contact pages show it. */
export function v2(type: string, event: Record<string, unknown>, options: { createTime?: number | string; eventId?: string; token?: string } = {}): Envelope {
  return {
    schema: '2.0',
    header: { event_id: options.eventId ?? randomBytes(16).toString('hex'), event_type: type, create_time: String(options.createTime ?? Date.now()), token: options.token ?? TOKEN, app_id: 'cli_sandbox0000000001', tenant_key: 'tk-sandbox' },
    event,
  };
}

/** A v1 envelope (type event_callback, uuid, event.type). */
export function v1(type: string, event: Record<string, unknown>, options: { uuid?: string; token?: string } = {}): Envelope {
  return { ts: '1608725989.7171419', uuid: options.uuid ?? randomBytes(16).toString('hex'), token: options.token ?? TOKEN, type: 'event_callback', event: { type, app_id: 'cli_sandbox0000000001', tenant_key: 'tk-sandbox', ...event } };
}

export interface Push {
  payload: Buffer;
  headers: Record<string, string>;
}

/** The request Feishu would send: encrypted and signed with `key`, or plain without one. */
export function push(envelope: Envelope | string, options: { key?: string; sign?: boolean } = {}): Push {
  const plaintext = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
  if (!options.key) return { payload: Buffer.from(plaintext), headers: { 'content-type': 'application/json; charset=utf-8' } };
  const body = JSON.stringify({ encrypt: encryptEvent(options.key, plaintext) });
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (options.sign !== false) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    Object.assign(headers, { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signEvent(options.key, timestamp, nonce, body) });
  }
  return { payload: Buffer.from(body), headers };
}

/** Signs an arbitrary body with `key`, as someone who holds the key would. */
export function signed(body: Buffer | string, key: string): Push {
  const timestamp = '1608725989';
  const nonce = randomBytes(8).toString('hex');
  return { payload: Buffer.from(body), headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signEvent(key, timestamp, nonce, body) } };
}

export const post = (w: HttpWorld, p: Push, url = HOOK): Promise<LightMyRequestResponse> => w.inject({ method: 'POST', url, payload: p.payload, headers: p.headers });

/** The webhook world: FSInnerExample taking events by webhook, encrypted unless `plain`. */
export function useEventWorld() {
  const httpWorld = useHttpWorld();
  return (options: { plain?: boolean; config?: Record<string, unknown>; tree?: Tree; otherConfig?: string } = {}) =>
    httpWorld({
      config: { eventTransport: 'webhook', verificationToken: TOKEN, ...(options.plain ? {} : { encryptKey: KEY }), ...options.config },
      ...(options.tree ? { tree: options.tree } : {}),
      ...(options.otherConfig ? { otherConfig: options.otherConfig } : {}),
    });
}

/** Delivers one event the way Feishu would (encrypted and signed when the world has a key) and applies what is pending. */
export async function deliver(w: HttpWorld, envelope: Envelope, options: { key?: string } = { key: KEY }): Promise<void> {
  const reply = await post(w, push(envelope, options));
  if (reply.statusCode !== 200) throw new Error(`push refused: ${reply.statusCode} ${reply.body}`);
  await w.fs().applyEvents();
}

export const inbox = (w: { app: { dataSource: HttpWorld['app']['dataSource'] } }) => w.app.dataSource.getRepository(FSInnerEventModel).find({ where: { instance: INSTANCE }, order: { id: 'ASC' } });

export const userRow = (w: HttpWorld, userId: string) => w.app.dataSource.getRepository(FSInnerAuthModel).findOneBy({ instance: INSTANCE, userId });

/** A contact user_event object for a sandbox person, as the event pages show it; `patch` replaces fields, `omit` withholds them. */
export function userObject(w: HttpWorld, userId: string, patch: Partial<FeishuUser> = {}, omit: ReadonlyArray<keyof FeishuUser> = []): Record<string, unknown> {
  const object: Record<string, unknown> = { ...structuredClone(w.sandbox.org.user(userId)), ...patch };
  for (const field of omit) delete object[field];
  return object;
}

/** What GET /api/session says of a cookie: null once the session no longer works. */
export async function sessionOf(w: HttpWorld, cookie: string) {
  return (await w.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().data;
}

export async function waitFor(condition: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
