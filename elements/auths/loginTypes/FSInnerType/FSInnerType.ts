import { authEntities } from '../../../../runtime/auth/models.js';
import type { EndpointDeclaration, HookReply, HookRequest } from '../../../../runtime/declarations/endpoints.js';
import type { ServiceDeclaration } from '../../../../runtime/declarations/services.js';
import { withLease } from '../../../../runtime/db/lease.js';
import type { ElementContext, MethodCaller } from '../../../../runtime/element.js';
import { Code, RuntimeErrors } from '../../../../runtime/errcode.js';
import { LoginType, type UserCard } from '../Meta/LoginType.js';
import { FSInnerCodes, FSInnerErrors, isUserGone } from './feishu-errors.js';
import type { FSInnerConfig } from './config.js';
import { DepartmentSync, toDepartmentRow, type SyncProgress } from './department-sync.js';
import { Directory } from './directory.js';
import { FeishuApi, ROOT_DEPARTMENT_ID } from './feishu/api.js';
import { hostsFor, type FeishuHosts } from './feishu/hosts.js';
import { FeishuHttp } from './feishu/http.js';
import { FeishuQuota } from './feishu/quota.js';
import { SharedTenantToken } from './feishu/shared-tenant-token.js';
import { TENANT_TOKEN_MARGIN_MS } from './feishu/tenant-token.js';
import type { FeishuContactUser, FeishuUserInfo } from './feishu/types.js';
import { hasLeft, Leavers, type DisabledAccount } from './leavers.js';
import { assertAuthCode, authorizeUrl, pkcePair, qrAuthorizeUrl } from './login.js';
import { FSInnerAuthModel, fsInnerEntities } from './models.js';
import { fsInnerAdmin } from './admin.js';
import { sandboxCommand, sandboxDevServer } from './cli.js';
import { migrations as fsInnerMigrations } from './migrations/index.js';
import { departmentFactsOf, idOf, leadsAny, preferKnown, profileFromContact, profileFromUserInfo, storedProfile, type ContactProfile, type DepartmentFacts, type FSInnerUserDetail, type FSInnerUserInfo, type UserStatus } from './profile.js';
import { runPreflight, type PreflightReport } from './preflight.js';
import { UserTokenKeeper, type FSInnerUserTokens } from './user-tokens.js';
import { ContactEvents, type ContactEventsState } from './events/contact-events.js';
import type { EventContext } from './events/handlers.js';
import { SyncSchedule, type SyncScheduleStatus } from './sync-schedule.js';

export interface LoginConfig {
  appId: string;
  /** State for the QR-code / passport flow (what the seed's frontend example uses). */
  state: string;
  redirectUri: string | null;
  /** Accounts authorize URL for the redirect flow; carries its own PKCE-bound state. */
  authorizeUrl: string;
  /** Passport authorize URL: the QR-code SDK's `goto`. */
  qrAuthorizeUrl: string;
  /** Script defining window.QRLogin: Feishu's SDK, or the sandbox's stand-in. */
  qrSdkUrl: string;
  /**
   * Feishu's H5 JSSDK (window.h5sdk, window.tt) for password-free login inside the Feishu client; for a
   * sandbox domain, the sandbox's stand-in at the same path on the sandbox origin. Same code path either way.
   */
  h5SdkUrl: string;
  expiresIn: number;
}

/**
 * auths.loginTypes.FSInnerType: log people in with a Feishu self-built app
 * (QR code on a PC, or password-free inside the Feishu client), bind them to
 * local accounts, and keep a local copy of the organization.
 */
export class FSInnerType extends LoginType<FSInnerConfig> {
  static override entities: ReadonlyArray<Function> = [...authEntities, ...fsInnerEntities];
  static override migrations = fsInnerMigrations;
  /** The admin page's token state, "Sync departments" and organization view (admin.ts). */
  static admin = fsInnerAdmin;
  /** `jit sandbox`, and `jit serve --sandbox` (cli.ts). */
  static cli = [sandboxCommand];
  static devServers = [sandboxDevServer];
  /** Feishu's webhook push of contact events (events/webhook.ts): public, its signature and token checked by the element. */
  static endpoints: ReadonlyArray<EndpointDeclaration> = [{ method: 'POST', path: 'events', access: 'public', body: 'raw', handler: 'receiveEventPush' }];
  /** While served: contact events (the applier; with "websocket" the long connection) and the scheduled sync. */
  static services: ReadonlyArray<ServiceDeclaration> = [
    { name: 'contact events', method: 'startContactEvents' },
    { name: 'sync schedule', method: 'startSyncSchedule' },
  ];

  protected readonly hosts: FeishuHosts;
  protected readonly api: FeishuApi;
  protected readonly directory: Directory;
  protected readonly leavers: Leavers;
  /** Contact events, by webhook or long connection, recorded then applied (events/contact-events.ts). */
  protected readonly contactEvents: ContactEvents;
  private syncSchedule: SyncSchedule | undefined;

  constructor(context: ElementContext<FSInnerConfig>) {
    super(context);
    this.hosts = hostsFor(this.config.domain);
    const http = new FeishuHttp({ timeoutMs: this.config.timeoutMs });
    const quota = new FeishuQuota(this.host.shared, {
      appId: this.config.appId,
      perSecond: this.config.requestsPerSecond,
      perMinute: this.config.requestsPerMinute,
      maxWaitMs: this.config.rateLimitWaitSeconds * 1000,
    });
    const sharedToken = new SharedTenantToken(this.host.shared.values, this.host.secrets, `${this.host.name}:${this.config.appId}`, TENANT_TOKEN_MARGIN_MS, () => this.host.now());
    this.api = new FeishuApi(http, this.hosts, this.config, () => this.host.now(), quota, sharedToken);
    this.directory = new Directory(this.host.dataSource, this.fullName, () => this.host.now(), this.host.secrets);
    this.leavers = new Leavers(this.host.dataSource, this.fullName, this.accounts, this.sessions, this.config.onLeave, () => this.host.now());
    this.contactEvents = new ContactEvents(this.fullName, this.config, this.host, () => this.eventContext(), this.hosts.open);
  }

  /** The webhook endpoint (`static endpoints`): checks, records and acknowledges one push (events/webhook.ts). */
  receiveEventPush(request: HookRequest): Promise<HookReply> {
    // Recording makes no Feishu request; the applying it starts does, and that is bulk work.
    return this.api.quota.bulk(() => this.contactEvents.receivePush(request));
  }

  /** The "contact events" service: applies what is recorded, and with eventTransport "websocket" competes for the long connection. */
  startContactEvents(): Promise<void> {
    return this.api.quota.bulk(() => this.contactEvents.start());
  }

  /** The "sync schedule" service: a full syncDepartmentInfo() at each syncSchedule tick, one process per tick (sync-schedule.ts). */
  startSyncSchedule(): void {
    if (!this.config.syncSchedule || this.syncSchedule) return;
    this.syncSchedule = new SyncSchedule({
      cron: this.config.syncSchedule,
      jitterMs: this.config.syncJitterSeconds * 1000,
      now: () => this.host.now(),
      run: () => this.syncDepartmentInfo(),
      log: (line) => this.host.log(`[${this.fullName}] ${line}`),
      store: { dataSource: this.host.dataSource, name: `${this.fullName}.syncDepartmentInfo` },
    });
  }

  /** Applies what is pending now, served or not (as an administrator's "apply now"); resolves with the state after. */
  async applyEvents(): Promise<ContactEventsState> {
    await this.api.quota.bulk(() => this.contactEvents.applyNow());
    return this.eventStatus();
  }

  /** Contact events at a glance: counts by status, duplicates, the last event, the lag, failed events with why (never a payload), the long connection. */
  eventStatus(): Promise<ContactEventsState> {
    return this.contactEvents.status();
  }

  /** The schedule, its next tick and the last run (shared by every process on the database); undefined without syncSchedule. */
  async syncScheduleStatus(): Promise<SyncScheduleStatus | undefined> {
    return this.syncSchedule?.status();
  }

  /** Accounts this instance disabled because their Feishu user left, and why (admin page). */
  disabledAccounts(): Promise<DisabledAccount[]> {
    return this.leavers.disabledAccounts();
  }

  /** Puts a failed (or ignored) event back to be applied again, or without `id` every failed one (admin page: "Retry failed events"). */
  async retryEvent(params: { id?: number } = {}): Promise<{ retried: number }> {
    const id = params?.id;
    if (id !== undefined && !(Number.isSafeInteger(id) && id > 0)) throw RuntimeErrors.INVALID_PARAMS.create({ problem: 'Parameter id must be a positive integer (an event id from eventStatus).' }, { field: 'id' });
    return { retried: await this.contactEvents.retry(id) };
  }

  /** Stops the schedule and the events (the event being applied is finished) before the app lets go of the database. */
  override async close(): Promise<void> {
    this.syncSchedule?.stop();
    await this.contactEvents.close();
    await super.close();
  }

  /** What the event handlers reach (events/handlers.ts). */
  private eventContext(): EventContext {
    return {
      directory: this.directory,
      leavers: this.leavers,
      api: this.api,
      userIdType: this.config.userIdType,
      departmentFacts: (ids) => this.departmentFacts(ids),
      resyncUser: (userId) => this.syncUserInfo({ userId, forceUpdate: true }),
    };
  }

  /** Fresh single-use states (≥ 128 bits) stored server-side, and the URLs that carry them. Never the secret. */
  async getLoginConfig(_params: Record<string, never> = {}, caller?: MethodCaller): Promise<LoginConfig> {
    const ttlSeconds = this.config.stateTtlSeconds;
    const redirectUri = this.config.redirectUri ?? null;
    const pkce = pkcePair();
    const browser = caller?.browser;
    const [qr, redirect] = await Promise.all([
      this.states.issue(this.fullName, { ttlSeconds, browser, ...(redirectUri ? { redirectUri } : {}) }),
      this.states.issue(this.fullName, { ttlSeconds, browser, codeVerifier: pkce.verifier, ...(redirectUri ? { redirectUri } : {}) }),
    ]);
    return {
      appId: this.config.appId,
      state: qr.state,
      redirectUri,
      authorizeUrl: authorizeUrl(this.hosts, this.config, redirect.state, pkce.challenge),
      qrAuthorizeUrl: qrAuthorizeUrl(this.hosts, this.config, qr.state),
      qrSdkUrl: this.hosts.qrSdk,
      h5SdkUrl: this.hosts.h5Sdk,
      expiresIn: ttlSeconds,
    };
  }

  /**
   * Authorization code → logged-in, bound user. With `state` (QR and redirect
   * flows) the state must be one this instance issued, unexpired and unused;
   * without it (the in-Feishu workspace flow) the code comes from the client.
   */
  async getLoginCode(params: { authCode: string; state?: string }, caller?: MethodCaller): Promise<FSInnerUserInfo> {
    assertAuthCode(params?.authCode);
    const consumed = params.state !== undefined ? await this.states.consume(this.fullName, params.state, caller?.browser) : { codeVerifier: null, redirectUri: null };
    const token = await this.api.exchangeCode({ code: params.authCode, redirectUri: consumed.redirectUri, codeVerifier: consumed.codeVerifier });
    // Feishu has consumed the code: from here the login is finished however long the quota makes it wait, never
    // refused halfway (the user would have to scan again); its requests go before new logins' (feishu/quota.ts).
    const { info, userId, known, profile, source } = await this.api.quota.continuing(async () => {
      const info = await this.api.userInfo(token.access_token);
      const { userId, contact } = await this.resolveUserId(info);
      const known = await this.directory.findUser(userId);
      return { info, userId, known, ...(await this.loginProfile(userId, info, known, contact)) };
    });
    if (profile.status === 'resigned' || profile.status === 'frozen') {
      throw FSInnerErrors.LOGIN_NOT_ALLOWED.create({ why: `This Feishu user may not log in to this app: the account is ${profile.status}` }, { reason: profile.status });
    }
    await this.checkLoginAllowed(userId, profile);
    const now = this.host.now();
    await this.directory.saveUser(userId, profile, {
      tokens: {
        accessToken: token.access_token,
        refreshToken: token.refresh_token ?? null,
        expiresAt: now + token.expires_in * 1000,
        refreshExpiresAt: token.refresh_token_expires_in ? now + token.refresh_token_expires_in * 1000 : null,
        // A flow without scope (the QR code's passport goto, §5b) gets a refresh token only if Feishu sends one.
        scope: token.scope ?? null,
      },
      tenantKey: info.tenant_key ?? null,
      synced: false,
      // The record just read answers this user's next logins for userSyncTtlSeconds (isFresh); it does not make them synced.
      contactRead: source === 'contact',
      loggedIn: true,
      membershipsUnchanged: source === 'localCopy',
    });
    // Only Feishu's own record can say someone who left is back; user_info and the local copy cannot.
    if (source === 'contact') await this.leavers.settle([userId]);
    // syncedAt, never contactReadAt: a record a login read (a refused attempt's too) admits no one under "existing".
    const isKnown = known?.syncedAt != null || known?.localUserId != null;
    const policy = this.config.binding === 'match' ? 'match' : this.config.binding === 'existing' && !isKnown ? 'refuse' : 'create';
    const local = await this.accounts.resolve(this.fullName, userId, profile, policy);
    if (this.config.adminUserIds.includes(userId) && !local.isAdmin) await this.accounts.makeAdmin(local.id);
    if (known?.localUserId !== local.id) await this.directory.setLocalUser(userId, local.id);
    return { userId, ...withoutEmployeeNo(profile), localUserId: local.id };
  }

  /** Detailed contact v3 view of one user; userId per `userIdType`. */
  async getUserInfo(params: { userId: string }): Promise<FSInnerUserDetail> {
    const userId = requireId(params?.userId, 'userId');
    const user = await this.api.getUser(userId, this.config.userIdType);
    const facts = await this.departmentFacts(user.department_ids ?? []);
    const profile = profileFromContact(user, userId, facts);
    const row = await this.directory.findUser(userId);
    return {
      userId,
      ...withoutEmployeeNo(profile),
      enName: user.en_name ?? null,
      employeeNo: user.employee_no ?? null,
      employeeType: user.employee_type ?? null,
      managerUserId: user.leader_user_id ?? null,
      avatars: {
        avatar72: user.avatar?.avatar_72 ?? null,
        avatar240: user.avatar?.avatar_240 ?? null,
        avatar640: user.avatar?.avatar_640 ?? null,
        avatarOrigin: user.avatar?.avatar_origin ?? null,
      },
      // Withheld without contact:user.employee:readonly: unknown, not "all clear".
      statusFlags: user.status
        ? {
            isFrozen: user.status.is_frozen ?? false,
            isResigned: user.status.is_resigned ?? false,
            isActivated: user.status.is_activated ?? true,
            isExited: user.status.is_exited ?? false,
            isUnjoin: user.status.is_unjoin ?? false,
          }
        : null,
      localUserId: row?.localUserId ?? null,
    };
  }

  /** The app's tenant_access_token: cached, single flight, refreshed before expiry. Never exposed over HTTP. */
  getAccessToken(): Promise<string> {
    return this.api.tenantTokens.get();
  }

  /**
   * Fetch and store one user, and settle their local account (leavers.ts). Without forceUpdate, a user
   * synced within userSyncTtlSeconds is left as is (no request). A stored user Feishu no longer shows
   * (deleted, out of the contact range) is marked gone rather than failing; an unknown id still fails.
   */
  async syncUserInfo(params: { userId: string; forceUpdate?: boolean }): Promise<void> {
    const userId = requireId(params?.userId, 'userId');
    const row = await this.directory.findUser(userId);
    if (!params.forceUpdate && this.isFresh(row)) return;
    let user: FeishuContactUser;
    try {
      user = await this.api.getUser(userId, this.config.userIdType);
    } catch (err) {
      if (!(row && isUserGone(err))) throw err;
      await this.directory.markUsersGone([userId]);
      await this.leavers.settle([userId]);
      return;
    }
    await this.directory.saveUser(userId, profileFromContact(user, userId, await this.departmentFacts(user.department_ids ?? [])), { synced: true });
    await this.leavers.settle([userId]);
  }

  /**
   * Sync the department tree (or one department) with its members; progress via onProgress.
   * One sync per instance at a time across every process on the database (RuntimeCodes.BUSY otherwise).
   */
  async syncDepartmentInfo(params: { deptId?: string; onProgress?: (progress: SyncProgress) => void } = {}): Promise<void> {
    const deptId = params.deptId === undefined ? undefined : requireId(params.deptId, 'deptId');
    const now = () => this.host.now();
    // The lease runs on wall time: it guards real processes, whatever clock the app was given.
    await withLease(
      this.host.dataSource,
      `${this.fullName}.syncDepartmentInfo`,
      Date.now,
      () =>
        // Bulk work: its requests yield to logins on any endpoint they share (feishu/quota.ts).
        this.api.quota.bulk(() =>
          new DepartmentSync(this.api, this.directory, this.leavers, this.config, now).run({
            ...(deptId !== undefined ? { deptId } : {}),
            ...(params.onProgress ? { onProgress: params.onProgress } : {}),
          }),
        ),
      this.config.syncLeaseSeconds * 1000,
    );
  }

  /** Preflight: credentials, redirect URI, contact range, and per feature which permissions are granted and what each missing one costs (preflight.ts). */
  checkConfig(): Promise<PreflightReport> {
    return runPreflight(this.api, this.config);
  }

  override async describeUser(localUserId: string): Promise<UserCard | undefined> {
    const row = await this.host.dataSource.getRepository(FSInnerAuthModel).findOneBy({ instance: this.fullName, localUserId });
    return row ? { name: row.name, avatar: row.avatar, department: row.department, position: row.position } : undefined;
  }

  /** The synced organization as a flat list of departments with member counts (the admin page builds the tree). */
  getOrgTree() {
    return this.directory.orgTree();
  }

  private userTokenKeeper: UserTokenKeeper | undefined;

  /**
   * A logged-in user's Feishu tokens (decrypted), for calling Feishu on their behalf: the access token
   * is valid now, refreshed when under 5 minutes are left and a refresh token allows (one refresh per
   * user at a time across processes, user-tokens.ts). Undefined when none are stored; throws FSInnerCodes.SIGN_IN_AGAIN when
   * the user must sign in again. Never exposed over HTTP.
   */
  async getUserTokens(params: { userId: string }): Promise<FSInnerUserTokens | undefined> {
    const userId = requireId(params?.userId, 'userId');
    this.userTokenKeeper ??= new UserTokenKeeper(this.host.dataSource, this.directory, this.api, () => this.host.now());
    return this.userTokenKeeper.get(userId);
  }

  /** Token cache state for status pages (never the token). */
  tokenStatus(): { cached: boolean; expiresAt?: number } {
    return this.api.tenantTokens.status();
  }

  /** The user's id per userIdType; when user_info lacks it, the contact record that had it comes along, so it is not fetched twice. */
  private async resolveUserId(info: FeishuUserInfo): Promise<{ userId: string; contact?: FeishuContactUser }> {
    const direct = idOf(info, this.config.userIdType);
    if (direct) return { userId: direct };
    const contact = await this.api.getUser(info.open_id, 'open_id');
    const viaContact = idOf(contact, this.config.userIdType);
    if (viaContact) return { userId: viaContact, contact };
    throw FSInnerErrors.PERMISSION_MISSING.create({ missing: `userIdType "${this.config.userIdType}" needs scope contact:user.employee_id:readonly` }, {
      scopes: ['contact:user.employee_id:readonly'],
    });
  }

  /**
   * A user whose contact record was read recently (by a sync, an event or an earlier login) is answered
   * from the local copy: a warm login costs Feishu two requests. One the copy says has left is asked
   * for afresh instead: they may be back.
   */
  private async loginProfile(userId: string, info: FeishuUserInfo, row: FSInnerAuthModel | null, prefetched?: FeishuContactUser): Promise<{ profile: ContactProfile; source: 'localCopy' | 'contact' | 'userInfo' }> {
    if (row && this.isFresh(row, 'login') && !hasLeft(row.status)) {
      const memberships = await this.directory.departmentsOf(userId);
      // No membership and no leader flag stored: the record read could not tell this person's departments.
      const departments = memberships.length === 0 && row.isLeader === null ? null : memberships;
      const stored: ContactProfile = { ...profileFromUserInfo(info), ...storedProfile(row), departments, isLeader: leadsAny(departments) };
      return { profile: preferKnown(stored, profileFromUserInfo(info)), source: 'localCopy' };
    }
    let user: FeishuContactUser;
    try {
      user = prefetched ?? (await this.api.getUser(userId, this.config.userIdType));
    } catch (err) {
      // No contact permission (or out of the contact range): log in with what user_info tells. It says
      // nothing of the status, so a stored one stands: a leaver is not let in because the record was unreadable.
      if (Code.is(err) && err.code === FSInnerCodes.PERMISSION_MISSING) return { profile: { ...profileFromUserInfo(info), ...(row?.status ? { status: row.status as UserStatus } : {}) }, source: 'userInfo' };
      throw err;
    }
    // What the contact record withholds (no permission for it) user_info may still tell: name, avatar, email, mobile.
    const facts = await this.departmentFacts(user.department_ids ?? [], { keep: true });
    return { profile: preferKnown(profileFromContact(user, userId, facts), profileFromUserInfo(info)), source: 'contact' };
  }

  /** Hook for subclasses (e.g. an app's override restricting login to one department). Throw `this.notAllowed(…)` (AuthCodes.LOGIN_NOT_ALLOWED) to refuse. */
  protected async checkLoginAllowed(_userId: string, _profile: ContactProfile): Promise<void> {}

  /**
   * Whether the stored contact record of a user was read within userSyncTtlSeconds (contactReadAt).
   * For a login any read will do, a login's own included. For a sync (syncUserInfo, the default) the
   * user must also have been seen by a sync or an event: a record only a login read is fetched again,
   * so that the sync marks the user synced (which binding "existing" waits for).
   */
  private isFresh(row: FSInnerAuthModel | null, purpose: 'sync' | 'login' = 'sync'): boolean {
    if (row?.contactReadAt == null || (purpose === 'sync' && row.syncedAt == null)) return false;
    return this.host.now() - row.contactReadAt < this.config.userSyncTtlSeconds * 1000;
  }

  /**
   * Names and leaders of departments: from the local copy, the rest in one batch request (the root
   * "0" is virtual and never asked for). Without contact:contact.base:readonly — the only permission
   * departments/batch accepts — those stay unknown.
   * With `keep` (a login) what the batch tells is stored as a sync stores a department (toDepartmentRow,
   * withheld fields null), so the next login of someone there does not ask again; a sync or an event
   * refreshes it. Only departments not stored yet are written: one a sync or an event stored meanwhile is kept.
   * Without it nothing is written: getUserInfo is a read, and syncUserInfo and events store users, not departments.
   */
  protected async departmentFacts(deptIds: string[], options: { keep?: boolean } = {}): Promise<Map<string, DepartmentFacts>> {
    const facts = await this.directory.departmentFacts(deptIds);
    const missing = deptIds.filter((id) => !facts.has(id) && id !== ROOT_DEPARTMENT_ID);
    if (missing.length > 0) {
      const learned = await this.api.departmentsBatch(missing, this.config.userIdType).catch((err: unknown) => {
        if (Code.is(err) && err.code === FSInnerCodes.PERMISSION_MISSING) return [];
        throw err;
      });
      for (const d of learned) facts.set(d.open_department_id, departmentFactsOf(d));
      if (options.keep) await this.directory.saveDepartments(learned.map(toDepartmentRow), { onlyNew: true });
    }
    return facts;
  }
}

function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) {
    throw RuntimeErrors.INVALID_PARAMS.create({ problem: `Parameter ${field} must be a non-empty string of at most 128 characters.` }, { field });
  }
  return value;
}

function withoutEmployeeNo(profile: ContactProfile): Omit<ContactProfile, 'employeeNo'> {
  const { employeeNo: _omit, ...rest } = profile;
  return rest;
}
