import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { boolColumn, idColumn, intColumn, stringColumn, textColumn, timeColumn } from '../db/columns.js';
import { LeaseModel } from '../db/lease-model.js';
import { SharedValueModel } from '../shared/shared-value-model.js';

export { LeaseModel };

/** A person as this app knows them, whatever login method they use. */
@Entity({ name: 'jit_local_user' })
export class LocalUserModel {
  @PrimaryColumn(idColumn(36))
  id!: string;

  @Column(stringColumn(255))
  name!: string | null;

  @Index()
  @Column(stringColumn(320))
  email!: string | null;

  @Index()
  @Column(stringColumn(64))
  mobile!: string | null;

  @Column(boolColumn(false))
  isAdmin!: boolean;

  @Column(boolColumn(false))
  disabled!: boolean;

  /**
   * Why the account is disabled, when a login instance did it: the instance's
   * fullName (its directory found the person gone). Null when an administrator
   * disabled it; only the instance that disabled an account re-enables it.
   */
  @Column(stringColumn(200))
  disabledBy!: string | null;

  @Column(timeColumn())
  createdAt!: number;

  @Column(timeColumn())
  updatedAt!: number;
}

/** "External identity X of login instance P is local user U"; one local user per identity. */
@Entity({ name: 'jit_identity_binding' })
@Index(['provider', 'externalId'], { unique: true })
export class IdentityBindingModel {
  @PrimaryColumn(idColumn(36))
  id!: string;

  /** fullName of the login instance, e.g. auths.loginTypes.FSInnerExample. */
  @Column(idColumn(200))
  provider!: string;

  @Column(idColumn(128))
  externalId!: string;

  @Index()
  @Column(idColumn(36))
  localUserId!: string;

  @Column(timeColumn())
  createdAt!: number;
}

/**
 * A login state handed to a browser: single use, expiring, bound to the
 * instance that issued it. Only its SHA-256 is stored, so a database read
 * does not yield states that could still be used.
 */
@Entity({ name: 'jit_login_state' })
export class LoginStateModel {
  @PrimaryColumn(idColumn(64))
  stateHash!: string;

  @Column(idColumn(200))
  provider!: string;

  /** PKCE verifier for the redirect flow (server-side only). */
  @Column(textColumn())
  codeVerifier!: string | null;

  @Column(textColumn())
  redirectUri!: string | null;

  /** For one-time admin sign-in links (jit admin create): the local user the state signs in. */
  @Column(stringColumn(36))
  subject!: string | null;

  /**
   * SHA-256 of the browser binding cookie of the browser that asked for the
   * state (login CSRF defence); a browser-facing callback refuses the state
   * from any other browser. Null for states issued in-process.
   */
  @Column(stringColumn(64))
  browserBinding!: string | null;

  @Index()
  @Column(timeColumn())
  expiresAt!: number;

  @Column(timeColumn({ nullable: true }))
  usedAt!: number | null;

  @Column(timeColumn())
  createdAt!: number;
}

/**
 * A signed-in browser. The cookie holds a random token; only its SHA-256 is
 * stored, so the table cannot be replayed as cookies. Shared by every server
 * process on the same database.
 */
@Entity({ name: 'jit_session' })
export class SessionModel {
  @PrimaryColumn(idColumn(64))
  tokenHash!: string;

  @Index()
  @Column(idColumn(36))
  localUserId!: string;

  /** The login instance that created it, e.g. auths.loginTypes.FSInnerExample. */
  @Column(idColumn(200))
  provider!: string;

  @Column(timeColumn())
  createdAt!: number;

  @Index()
  @Column(timeColumn())
  expiresAt!: number;

  @Column(timeColumn({ nullable: true }))
  revokedAt!: number | null;
}


/**
 * Hit counters of rate limits shared by every process on the database (sign-in
 * limits). The shape is rate-limiter-flexible's own SQL store table, created
 * here by a migration rather than by the library at run time.
 */
@Entity({ name: 'jit_rate_limit' })
export class RateLimitCounterModel {
  @PrimaryColumn(idColumn(255))
  key!: string;

  @Column(intColumn({ default: 0 }))
  points!: number;

  @Column(timeColumn({ nullable: true }))
  expire!: number | null;
}

export const authEntities = [LocalUserModel, IdentityBindingModel, LoginStateModel, SessionModel, LeaseModel, RateLimitCounterModel, SharedValueModel];
