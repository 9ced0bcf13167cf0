import type { SandboxState } from '../context.js';
import { callInClient, type ClientCall } from '../feishu-client.js';
import { json, parseJsonObject, type Reply } from '../http.js';
import type { Sandbox } from '../sandbox-api.js';
import { matchControl, type ControlRoute } from './control-table.js';
import { eventControlRoutes } from './event-control.js';
import { orgControlRoutes } from './org-control.js';

/** The routes with path parameters: org changes (org-control.ts) and events (event-control.ts). */
const patterned = new WeakMap<Sandbox, ControlRoute[]>();

/**
 * Test controls under /_sandbox/ — not part of Feishu, so never rate-limited, faulted or counted.
 * Bodies are JSON; a bad request answers 400 `{error}`. The server adds CORS headers (cors.ts), so
 * browser pages on other origins may call them.
 */
export async function handleControl(sandbox: Sandbox, state: SandboxState, method: string, path: string, body: string, query = new URLSearchParams()): Promise<Reply> {
  try {
    const input = body ? parseJsonObject(body) : {};
    if (!input) return json({ error: 'the body must be a JSON object' }, 400);
    let routes = patterned.get(sandbox);
    if (!routes) patterned.set(sandbox, (routes = [...orgControlRoutes(sandbox.changes), ...eventControlRoutes(sandbox.events)]));
    const match = matchControl(routes, method, path);
    if (match) return await match.route.handle({ input, params: match.params, query });
    switch (`${method} ${path}`) {
      case 'GET /_sandbox/users':
        return json({ users: listUsers(sandbox) });
      case 'POST /_sandbox/codes':
        // The H5 JSSDK stand-in maps this reason to errCode 10200 (§5c).
        if (input.appId !== undefined && !sandbox.apps.some((a) => a.appId === input.appId)) {
          return json({ error: `no app "${String(input.appId)}"`, reason: 'unknown_app' }, 400);
        }
        return json(sandbox.issueCode(input as never));
      case 'POST /_sandbox/tmp_codes':
        return json({ tmpCode: sandbox.issueTmpCode(input as never) });
      case 'GET /_sandbox/stats':
        return json(sandbox.stats());
      case 'DELETE /_sandbox/stats':
        sandbox.resetStats();
        return json({ ok: true });
      case 'POST /_sandbox/faults':
        sandbox.injectFault(input as never);
        return json({ ok: true });
      case 'DELETE /_sandbox/faults':
        sandbox.clearFaults();
        return json({ ok: true });
      case 'POST /_sandbox/tokens/expire':
        sandbox.expireTokens();
        return json({ ok: true });
      case 'POST /_sandbox/tokens/revoke':
        sandbox.revokeTokens();
        return json({ ok: true });
      // The emulated Feishu client (feishu-client.ts): {userId?, requestAccess?}.
      case 'GET /_sandbox/client':
        return json({ ...state.client });
      case 'POST /_sandbox/client':
        return json(sandbox.setFeishuClient(input as never));
      case 'DELETE /_sandbox/client':
        return json(sandbox.resetFeishuClient());
      // The H5 JSSDK stand-in's bridge to the emulated client: one JSAPI call, answered 200 either way.
      case 'POST /_sandbox/client/calls':
        if (input.api !== 'requestAccess' && input.api !== 'requestAuthCode') return json({ error: 'api must be requestAccess or requestAuthCode' }, 400);
        return json(callInClient(state, input as unknown as ClientCall));
      default:
        return json({ error: `no control route ${method} ${path}` }, 404);
    }
  } catch (error) {
    return json({ error: (error as Error).message }, 400);
  }
}

function listUsers(sandbox: Sandbox) {
  const org = sandbox.org;
  return org.activeUsers().map((u) => ({
    userId: u.user_id,
    openId: u.open_id,
    name: u.name,
    departments: u.department_ids.map((id) => org.findDepartment(id, 'open_department_id')?.name ?? id),
  }));
}
