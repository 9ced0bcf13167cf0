import type { FastifyRequest } from 'fastify';
import type { App } from '../app.js';
import { LoginStateStore } from '../auth/login-states.js';
import type { ActiveSession } from '../auth/sessions.js';
import { SessionStore } from '../auth/sessions.js';
import { Code } from '../errcode.js';
import type { MethodAccess } from '../loader/definition.js';
import { HttpCodes } from './codes.js';
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

  /** Throws 10401 / 10403 unless the request may use something of this access level. */
  async authorize(request: FastifyRequest, access: MethodAccess): Promise<ActiveSession | undefined> {
    if (access === 'public') return this.session(request);
    const session = await this.session(request);
    if (!session) throw new Code(HttpCodes.NOT_SIGNED_IN, 'Sign in first.');
    if (access === 'admin' && !session.user.isAdmin) throw new Code(HttpCodes.FORBIDDEN, 'This needs an administrator.');
    return session;
  }

  /** The login instances of the app (instances under auths.loginTypes.Meta) that currently load. */
  loginMethods() {
    return this.app.listElements({ type: 'auths.loginTypes.Meta', kind: 'instance' }).filter((e) => !e.quarantined);
  }
}
