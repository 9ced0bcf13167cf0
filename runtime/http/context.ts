import type { FastifyRequest } from 'fastify';
import type { App, ElementInfo } from '../app.js';
import { LoginStateStore } from '../auth/login-states.js';
import type { ActiveSession } from '../auth/sessions.js';
import { SessionStore } from '../auth/sessions.js';
import { hasRole, rolesOf, type LoginElement, type Role } from '../declarations/roles.js';
import type { MethodAccess } from '../loader/definition.js';
import { HttpErrors } from './http-errors.js';
import { CookiePolicy } from './cookie-policy.js';
import { ParamValidator } from './params.js';
import { sessionOf, type SessionSettings } from './session.js';

/** What every route module needs; one per server. */
export class HttpContext implements SessionSettings {
  readonly sessions: SessionStore;
  readonly states: LoginStateStore;
  readonly params = new ParamValidator();
  readonly cookies: CookiePolicy;

  constructor(
    readonly app: App,
    readonly sessionTtlSeconds: number,
    /** The address browsers use (behind a proxy: the proxy's); decides cookie security and the expected Origin. */
    readonly publicUrl: URL | undefined,
  ) {
    const now = () => app.now();
    this.sessions = new SessionStore(app.dataSource, now);
    this.states = new LoginStateStore(app.dataSource, now);
    this.cookies = new CookiePolicy(publicUrl);
  }

  session(request: FastifyRequest): Promise<ActiveSession | undefined> {
    return sessionOf(request, this);
  }

  /** Throws HttpCodes.NOT_SIGNED_IN / FORBIDDEN unless the request may use something of this access level. */
  async authorize(request: FastifyRequest, access: MethodAccess): Promise<ActiveSession | undefined> {
    if (access === 'public') return this.session(request);
    const session = await this.session(request);
    if (!session) throw HttpErrors.NOT_SIGNED_IN.create({});
    if (access === 'admin' && !session.user.isAdmin) throw HttpErrors.FORBIDDEN.create({});
    return session;
  }

  /** The login instances of the app (whose Type has the `login` role) that currently load. */
  loginMethods(): ElementInfo[] {
    const login = new Map<string, boolean>();
    return this.app.listElements({ kind: 'instance' }).filter((e) => {
      if (e.quarantined) return false;
      if (!login.has(e.type)) login.set(e.type, hasRole(this.classOf(e.type), 'login'));
      return login.get(e.type)!;
    });
  }

  /** The live login instance of that id; undefined for anything else (an unknown id, a removed element, another kind). */
  loginElement(id: string): LoginElement | undefined {
    return this.loginMethods().some((m) => m.fullName === id) ? this.app.getElement<LoginElement>(id) : undefined;
  }

  /**
   * The class whose static declarations (roles, admin, endpoints) apply to an
   * element: its own for a Type or Meta, its Type's for an instance. Read
   * without creating the instance, so a declaration can decide access first.
   */
  classOf(id: string): Function | undefined {
    const info = this.app.getElementDefine(id);
    if (!info || info.quarantined) return undefined;
    try {
      return this.app.getElement<Function>(info.kind === 'instance' ? info.type : id);
    } catch {
      return undefined; // its Type never loaded
    }
  }

  rolesOf(id: string): Role[] {
    return rolesOf(this.classOf(id));
  }
}
