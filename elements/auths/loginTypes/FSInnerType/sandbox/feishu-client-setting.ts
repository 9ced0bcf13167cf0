/**
 * The emulated Feishu client: who is signed in to it and how its JSAPI answers (shared notes §5).
 * It is a sandbox-side setting (Sandbox.setFeishuClient, or POST /_sandbox/client), never something
 * the app's page says about itself: a real client's user agent carries no user id, and the page under
 * test must run exactly the code it runs in production.
 *
 * - `'grant'`: requestAccess succeeds (the user consents, or has consented before);
 * - `'decline'`: the user closes the consent sheet — errno 2700002 (§5.2);
 * - `'unsupported'`: a client older than V6.9.0 — requestAccess fails with errno 103;
 * - `'missing'`: `tt.requestAccess` is not defined at all (the other case of the documented fallback).
 */
export type RequestAccessMode = 'grant' | 'decline' | 'unsupported' | 'missing';

export interface FeishuClientSetting {
  /** user_id, open_id or union_id of the user signed in to the client; null: the org's first active user. */
  userId: string | null;
  requestAccess: RequestAccessMode;
}
