import { Element, type MethodCaller } from '../../../../runtime/element.js';
import type { Code } from '../../../../runtime/errcode.js';
import { AuthErrors } from '../../../../runtime/auth/auth-errors.js';
import { AccountService } from '../../../../runtime/auth/accounts.js';
import { LoginStateStore } from '../../../../runtime/auth/login-states.js';
import { SessionStore } from '../../../../runtime/auth/sessions.js';
import { authEntities } from '../../../../runtime/auth/models.js';
import type { LoginElement, Role, UserCard } from '../../../../runtime/declarations/roles.js';

/** What every login Type returns once it has proven who the person is. */
export interface LoginUserInfo {
  userId: string;
  name: string | null;
  localUserId: string;
}

export type { UserCard };

/**
 * Base class of every Type under auths.loginTypes.Meta: gives each login
 * method the shared local-account service and the database-backed login
 * state store, so a new login Type only writes its provider's protocol.
 * The `login` role (inherited by every Type) is how the runtime finds login
 * methods: the login page, the OAuth callback, the admin page.
 */
export abstract class LoginType<Config = Readonly<Record<string, unknown>>> extends Element<Config> implements LoginElement {
  static override entities: ReadonlyArray<Function> = authEntities;
  static roles: ReadonlyArray<Role> = ['login'];

  private accountService: AccountService | undefined;
  private stateStore: LoginStateStore | undefined;
  private sessionStore: SessionStore | undefined;

  protected get accounts(): AccountService {
    return (this.accountService ??= new AccountService(this.host.dataSource, () => this.host.now()));
  }

  protected get states(): LoginStateStore {
    return (this.stateStore ??= new LoginStateStore(this.host.dataSource, () => this.host.now()));
  }

  /** The sessions of every login, e.g. to end all of a person's sessions when they leave. */
  protected get sessions(): SessionStore {
    return (this.sessionStore ??= new SessionStore(this.host.dataSource, () => this.host.now()));
  }

  /** The error for "genuine identity, but not let in here" (AuthCodes.LOGIN_NOT_ALLOWED); overrides throw it from their checks. */
  protected notAllowed(message: string, reason: string): Code {
    return AuthErrors.LOGIN_NOT_ALLOWED.create({ why: message }, { reason });
  }

  /**
   * What the browser needs to start a login (never a secret). Over HTTP `caller.browser`
   * is the asking browser: bind the states issued here to it (`states.issue(…, { browser })`).
   */
  abstract getLoginConfig(params?: Record<string, never>, caller?: MethodCaller): Promise<object>;

  /**
   * Turns the provider's authorization code into a logged-in, bound user. A state
   * presented by a browser is spent only by the browser it was issued to.
   */
  abstract getLoginCode(params: { authCode: string; state?: string }, caller?: MethodCaller): Promise<LoginUserInfo>;

  /** What a signed-in page shows of a local user who logged in through this instance; undefined if unknown here. */
  async describeUser(_localUserId: string): Promise<UserCard | undefined> {
    return undefined;
  }

  /**
   * What browsers call (the seed's `api.loginWithCode`): the same proof as
   * getLoginCode; over HTTP, a success also starts a session for the returned
   * local user (functionList marks it `startsSession`).
   */
  loginWithCode(params: { authCode: string; state?: string }, caller?: MethodCaller): Promise<LoginUserInfo> {
    return this.getLoginCode(params, caller);
  }
}
