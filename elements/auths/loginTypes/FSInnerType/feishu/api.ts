import { Code } from '../../../../../runtime/errcode.js';
import { FSInnerCodes, TENANT_TOKEN_REJECTED } from '../feishu-errors.js';
import type { FeishuHosts } from './hosts.js';
import type { FeishuHttp, RetryPolicy } from './http.js';
import type { FeishuQuota } from './quota.js';
import type { SharedTenantToken } from './shared-tenant-token.js';
import { TenantTokenCache } from './tenant-token.js';
import type { ContactScopesPage, Envelope, FeishuContactUser, FeishuDepartment, FeishuUserInfo, OAuthTokenReply, Page, TenantTokenReply } from './types.js';

export type UserIdType = 'user_id' | 'open_id' | 'union_id';

export interface AppCredentials {
  appId: string;
  appSecret: string;
}

/** Contact pages are fetched at Feishu's maximum size (contract §4). */
export const PAGE_SIZE = 50;

/**
 * The department_id_type to send with a department id: "od-…" are open ids, the root "0" is "0" in
 * every id type (contract §4) and is sent as an open one, anything else is a custom department_id.
 * The type also decides the form of every department id in the reply (department_ids, orders,
 * parent_department_id), so the root must not be asked with the custom type: its direct members'
 * other departments would come back as custom ids that match nothing stored.
 */
export const departmentIdType = (id: string): 'open_department_id' | 'department_id' => (id.startsWith('od-') || id === ROOT_DEPARTMENT_ID ? 'open_department_id' : 'department_id');

/**
 * Feishu's refusals of a recursive children listing (fetch_child=true): 43010 "big dept forbid
 * recursion", and 40162 which the contract names with it (§4: documented for user tokens over 500
 * sub-departments; whether a tenant token can meet them is not documented).
 */
export const RECURSION_REFUSED: ReadonlySet<number> = new Set([43010, 40162]);

/** The root department's id in every id type (contract §4). */
export const ROOT_DEPARTMENT_ID = '0';

/** A request refused by Feishu's rate limit is sent again at most this many times (through the quota, after the pause). */
const RATE_LIMIT_RETRIES = 3;

/**
 * The Feishu endpoints this element calls, each as one typed method.
 * Every request first takes its place in the app's shared budget (quota.ts); a 429 pauses the
 * endpoint for every process and the request goes again. Tenant-token calls evict a token Feishu
 * rejects (99991663/99991664), fetch a new one once and retry once (contract §6a footnote).
 */
export class FeishuApi {
  readonly tenantTokens: TenantTokenCache;

  constructor(
    private readonly http: FeishuHttp,
    private readonly hosts: FeishuHosts,
    private readonly credentials: AppCredentials,
    now: () => number,
    readonly quota: FeishuQuota,
    private readonly sharedToken?: SharedTenantToken,
  ) {
    this.tenantTokens = new TenantTokenCache(() => (sharedToken ? sharedToken.get(() => this.fetchTenantToken()) : this.fetchTenantToken()), now);
  }

  private async send<T extends { code?: number }>(endpoint: string, method: 'GET' | 'POST', path: string, options: { query?: URLSearchParams; json?: Record<string, unknown>; bearer?: string; retry?: RetryPolicy } = {}) {
    for (let attempt = 0; ; attempt++) {
      await this.quota.acquire(endpoint);
      try {
        const reply = await this.http.send<T>({
          endpoint,
          method,
          url: this.hosts.open + path,
          ...(options.query ? { searchParams: options.query } : {}),
          ...(options.json ? { json: options.json } : {}),
          ...(options.bearer ? { bearer: options.bearer } : {}),
          retry: options.retry ?? 'idempotent',
        });
        this.quota.answered(endpoint);
        return reply;
      } catch (err) {
        // A rate limit means Feishu did not take the request (a code is not consumed): safe to send again, whatever the policy.
        const retryAfterMs = Code.is(err) && err.code === FSInnerCodes.RATE_LIMITED ? err.details?.['retryAfterMs'] : undefined;
        if (!Code.is(err) || typeof retryAfterMs !== 'number') {
          this.quota.answered(endpoint);
          throw err;
        }
        await this.quota.pause(endpoint, retryAfterMs);
        // Longer than this caller may wait (a login; bulk work waits): 45009 now rather than after the wait.
        if (attempt >= RATE_LIMIT_RETRIES || !this.quota.mayWait(retryAfterMs)) {
          err.details!['retryAfterSeconds'] = Math.ceil(retryAfterMs / 1000);
          throw err;
        }
      }
    }
  }

  private async fetchTenantToken(): Promise<{ token: string; expireSeconds: number }> {
    const { body } = await this.send<TenantTokenReply>('tenant_token', 'POST', '/open-apis/auth/v3/tenant_access_token/internal', {
      json: { app_id: this.credentials.appId, app_secret: this.credentials.appSecret },
    });
    return { token: body.tenant_access_token, expireSeconds: body.expire };
  }

  private async tenantGet<T>(endpoint: string, path: string, query: URLSearchParams): Promise<T> {
    const token = await this.tenantTokens.get();
    try {
      return (await this.send<Envelope<T>>(endpoint, 'GET', path, { query, bearer: token })).body.data;
    } catch (err) {
      const feishuCode = Code.is(err) ? err.details?.['feishuCode'] : undefined;
      if (typeof feishuCode !== 'number' || !TENANT_TOKEN_REJECTED.has(feishuCode)) throw err;
      this.tenantTokens.invalidate(token);
      await this.sharedToken?.invalidate(token);
      const fresh = await this.tenantTokens.get();
      return (await this.send<Envelope<T>>(endpoint, 'GET', path, { query, bearer: fresh })).body.data;
    }
  }

  /** Authorization code → user token (§2a). Never retried once Feishu may have consumed the code. */
  async exchangeCode(params: { code: string; redirectUri?: string | null; codeVerifier?: string | null }): Promise<OAuthTokenReply> {
    const json: Record<string, unknown> = {
      grant_type: 'authorization_code',
      client_id: this.credentials.appId,
      client_secret: this.credentials.appSecret,
      code: params.code,
    };
    if (params.redirectUri) json['redirect_uri'] = params.redirectUri;
    if (params.codeVerifier) json['code_verifier'] = params.codeVerifier;
    return (await this.send<OAuthTokenReply>('oauth_token', 'POST', '/open-apis/authen/v2/oauth/token', { json, retry: 'undelivered' })).body;
  }

  /**
   * Refresh token → new user token and a rotated refresh token (§2e; events notes §6). The refresh
   * token is single use, so like a code it is retried only when Feishu cannot have received it; no
   * `scope` is sent, so the whole grant (offline_access included) carries over.
   */
  async refreshUserToken(refreshToken: string): Promise<OAuthTokenReply> {
    const json = { grant_type: 'refresh_token', client_id: this.credentials.appId, client_secret: this.credentials.appSecret, refresh_token: refreshToken };
    return (await this.send<OAuthTokenReply>('oauth_token', 'POST', '/open-apis/authen/v2/oauth/token', { json, retry: 'undelivered' })).body;
  }

  /** The signed-in user as the user token sees them (§3). */
  async userInfo(userAccessToken: string): Promise<FeishuUserInfo> {
    return (await this.send<Envelope<FeishuUserInfo>>('user_info', 'GET', '/open-apis/authen/v1/user_info', { bearer: userAccessToken })).body.data;
  }

  async getUser(userId: string, userIdType: UserIdType): Promise<FeishuContactUser> {
    const query = new URLSearchParams({ user_id_type: userIdType, department_id_type: 'open_department_id' });
    return (await this.tenantGet<{ user: FeishuContactUser }>('user_get', `/open-apis/contact/v3/users/${encodeURIComponent(userId)}`, query)).user;
  }

  async findByDepartment(departmentId: string, userIdType: UserIdType, pageToken?: string): Promise<Page<FeishuContactUser>> {
    const query = new URLSearchParams({ department_id: departmentId, department_id_type: departmentIdType(departmentId), user_id_type: userIdType, page_size: String(PAGE_SIZE) });
    if (pageToken) query.set('page_token', pageToken);
    return this.tenantGet('find_by_department', '/open-apis/contact/v3/users/find_by_department', query);
  }

  async getDepartment(departmentId: string, userIdType: UserIdType): Promise<FeishuDepartment> {
    const query = new URLSearchParams({ department_id_type: departmentIdType(departmentId), user_id_type: userIdType });
    return (await this.tenantGet<{ department: FeishuDepartment }>('department_get', `/open-apis/contact/v3/departments/${encodeURIComponent(departmentId)}`, query)).department;
  }

  /** The direct sub-departments of one department, one page (fetch_child=false). */
  departmentChildren(departmentId: string, userIdType: UserIdType, pageToken?: string): Promise<Page<FeishuDepartment>> {
    return this.children(departmentId, userIdType, false, pageToken);
  }

  /**
   * Every department below one, all levels, one page (the same children endpoint with
   * fetch_child=true, contract §4): a subtree of n departments costs ⌈n/50⌉ requests rather than one
   * per department. Feishu documents a cap on recursion for user tokens only (43010/40162, see
   * RECURSION_REFUSED); a caller should fall back to departmentChildren when it is refused.
   */
  departmentDescendants(departmentId: string, userIdType: UserIdType, pageToken?: string): Promise<Page<FeishuDepartment>> {
    return this.children(departmentId, userIdType, true, pageToken);
  }

  private children(departmentId: string, userIdType: UserIdType, fetchChild: boolean, pageToken?: string): Promise<Page<FeishuDepartment>> {
    const query = new URLSearchParams({ department_id_type: departmentIdType(departmentId), user_id_type: userIdType, fetch_child: String(fetchChild), page_size: String(PAGE_SIZE) });
    if (pageToken) query.set('page_token', pageToken);
    // Both listings are one Feishu endpoint with one quota, so they share one pacing gate.
    return this.tenantGet('department_children', `/open-apis/contact/v3/departments/${encodeURIComponent(departmentId)}/children`, query);
  }

  /** The app's contact range, one page (GET /contact/v3/scopes, tenant token only; events-and-scopes notes §4.2). */
  async contactScopes(userIdType: UserIdType, pageToken?: string): Promise<ContactScopesPage> {
    const query = new URLSearchParams({ user_id_type: userIdType, department_id_type: 'open_department_id', page_size: '100' });
    if (pageToken) query.set('page_token', pageToken);
    return this.tenantGet('contact_scopes', '/open-apis/contact/v3/scopes', query);
  }

  async departmentsBatch(openDepartmentIds: string[], userIdType: UserIdType): Promise<FeishuDepartment[]> {
    const query = new URLSearchParams({ department_id_type: 'open_department_id', user_id_type: userIdType });
    for (const id of openDepartmentIds.slice(0, PAGE_SIZE)) query.append('department_ids', id);
    return (await this.tenantGet<{ items?: FeishuDepartment[] }>('departments_batch', '/open-apis/contact/v3/departments/batch', query)).items ?? [];
  }
}
