import { Element, type MethodCaller } from '../../../../runtime/element.js';
import { Code } from '../../../../runtime/errcode.js';
import { AuthCodes } from '../../../../runtime/auth/codes.js';
import { AccountService } from '../../../../runtime/auth/accounts.js';
import { LoginStateStore } from '../../../../runtime/auth/login-states.js';
import { SessionStore } from '../../../../runtime/auth/sessions.js';
import { authEntities } from '../../../../runtime/auth/models.js';

/** What every login Type returns once it has proven who the person is. */
export interface LoginUserInfo {
  userId: string;
  name: string | null;
  localUserId: string;
}

export interface UserCard {
  name: string | null;
  avatar?: string | null;
  department?: string | null;
  position?: string | null;
}

/**
 * Base class of every Type under auths.loginTypes.Meta: gives each login
 * method the shared local-account service and the database-backed login
 * state store, so a new login Type only writes its provider's protocol.
 */
export abstract class LoginType<Config = Readonly<Record<string, unknown>>> extends Element<Config> {
  static override entities: ReadonlyArray<Function> = authEntities;

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

  /** The error for "genuine identity, but not let in here" (Code 40301); overrides throw it from their checks. */
  protected notAllowed(message: string, reason: string): Code {
    return new Code(AuthCodes.LOGIN_NOT_ALLOWED, message, { reason });
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
