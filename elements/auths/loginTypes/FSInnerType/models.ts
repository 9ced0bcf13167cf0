import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { boolColumn, idColumn, intColumn, stringColumn, textColumn, timeColumn } from '../../../../runtime/db/columns.js';
import { FSInnerEventModel } from './events/models.js';

/**
 * One Feishu user as seen by one login instance (the seed's FSInnerAuthModel).
 * Feishu-owned fields are overwritten by login and sync; `localUserId` is
 * local and never touched by sync. Gone users are marked, never deleted.
 */
@Entity({ name: 'FSInnerAuthModel' })
@Index(['instance', 'userId'], { unique: true })
export class FSInnerAuthModel {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** fullName of the login instance this row belongs to. */
  @Column(idColumn(200))
  instance!: string;

  /** The id chosen by the instance's `userIdType`. */
  @Column(idColumn(128))
  userId!: string;

  @Index()
  @Column(stringColumn(128))
  openId!: string | null;

  @Column(stringColumn(128))
  unionId!: string | null;

  @Column(stringColumn(128))
  tenantKey!: string | null;

  @Column(stringColumn(255))
  name!: string | null;

  @Column(stringColumn(64))
  mobile!: string | null;

  @Column(stringColumn(320))
  email!: string | null;

  @Column(textColumn())
  avatar!: string | null;

  /** Primary department name; all departments are in FSInnerMembershipModel. */
  @Column(stringColumn(255))
  department!: string | null;

  @Column(stringColumn(255))
  position!: string | null;

  @Column(stringColumn(16))
  gender!: string | null;

  /** active | inactive | frozen | resigned | gone */
  @Column(stringColumn(16))
  status!: string | null;

  /** Leads one of their departments; null when unknown (the app cannot read the departments' leaders). */
  @Column({ type: 'boolean', nullable: true })
  isLeader!: boolean | null;

  @Column(stringColumn(64))
  employeeNo!: string | null;

  @Column(textColumn())
  accessToken!: string | null;

  @Column(textColumn())
  refreshToken!: string | null;

  @Column(timeColumn({ nullable: true }))
  expiresAt!: number | null;

  @Column(timeColumn({ nullable: true }))
  refreshExpiresAt!: number | null;

  /** The scopes Feishu granted with the stored tokens (space-separated, from the token reply). */
  @Column(textColumn())
  tokenScope!: string | null;

  @Index()
  @Column(stringColumn(36))
  localUserId!: string | null;

  /**
   * When a sync or a contact event last saw this user. Says the user is known to the directory: binding
   * "existing" lets in only users synced or bound, and a full sync rechecks the synced users it did not list.
   */
  @Column(timeColumn({ nullable: true }))
  syncedAt!: number | null;

  /**
   * When Feishu's contact record of this user was last read and stored: by a sync, an event or a login.
   * What makes the stored copy fresh (userSyncTtlSeconds); unlike syncedAt it says nothing of who may log in.
   * Null: never read (a login without the contact permission stores only what user_info tells).
   */
  @Column(timeColumn({ nullable: true }))
  contactReadAt!: number | null;

  @Column(timeColumn({ nullable: true }))
  lastLoginAt!: number | null;

  @Column(timeColumn({ nullable: true }))
  deletedAt!: number | null;

  /** create_time of the newest contact event applied to this user: an older one arriving later is stale (events/handlers.ts). */
  @Column(timeColumn({ nullable: true }))
  eventAt!: number | null;

  @Column(timeColumn())
  createdAt!: number;

  @Column(timeColumn())
  updatedAt!: number;
}

/**
 * A Feishu department as last stored by one login instance: by a sync or a contact event, or by a
 * login that needed its name and leaders and found it not stored yet.
 */
@Entity({ name: 'FSInnerDeptModel' })
@Index(['instance', 'deptId'], { unique: true })
export class FSInnerDeptModel {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column(idColumn(200))
  instance!: string;

  /** open_department_id ("od-…"). */
  @Column(idColumn(128))
  deptId!: string;

  /** The tenant's custom department_id, when set. */
  @Column(stringColumn(128))
  customId!: string | null;

  /** null when the app cannot read department names (contact:department.base:readonly). */
  @Column(stringColumn(255))
  name!: string | null;

  /** Parent open_department_id, "0" for top level; null when unknown (contact:department.organize:readonly). */
  @Index()
  @Column(stringColumn(128))
  parentId!: string | null;

  /** Main leader, in the instance's userIdType. */
  @Column(stringColumn(128))
  leaderUserId!: string | null;

  /** JSON array of every leader id (main and deputies); null when unknown (contact:department.organize:readonly). */
  @Column(textColumn())
  leaderIds!: string | null;

  /** Feishu's member count (sub-departments included); null when unknown (contact:department.organize:readonly). */
  @Column(intColumn({ nullable: true }))
  memberCount!: number | null;

  @Column(stringColumn(32))
  sortOrder!: string | null;

  /** active | deleted */
  @Column(stringColumn(16))
  status!: string;

  @Column(timeColumn({ nullable: true }))
  deletedAt!: number | null;

  /** create_time of the newest contact event applied to this department (see FSInnerAuthModel.eventAt). */
  @Column(timeColumn({ nullable: true }))
  eventAt!: number | null;

  /** When it was last stored from Feishu; a full sync marks deleted the ones stored before it began that it did not list. */
  @Column(timeColumn())
  syncedAt!: number;

  @Column(timeColumn())
  createdAt!: number;

  @Column(timeColumn())
  updatedAt!: number;
}

/** User ∈ department, with the leader flag derived from the department (the user object has none). */
@Entity({ name: 'FSInnerMembershipModel' })
@Index(['instance', 'userId', 'deptId'], { unique: true })
export class FSInnerMembershipModel {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column(idColumn(200))
  instance!: string;

  @Column(idColumn(128))
  userId!: string;

  @Index()
  @Column(idColumn(128))
  deptId!: string;

  /** null when unknown: the department's leaders were withheld, or the department could not be read. */
  @Column({ type: 'boolean', nullable: true })
  isLeader!: boolean | null;

  @Column(boolColumn(false))
  isPrimary!: boolean;

  @Column(timeColumn())
  syncedAt!: number;
}

/**
 * The scheduled sync's last run, one row per schedule (sync-schedule.ts), so every process sharing the
 * database reports the same last run, and of several processes woken by the same cron tick one runs it:
 * `slot` is the scheduled time last claimed.
 */
@Entity({ name: 'FSInnerSyncRunModel' })
export class FSInnerSyncRunModel {
  /** The schedule's name: the instance's fullName and what it runs. */
  @PrimaryColumn(idColumn(200))
  name!: string;

  @Column(timeColumn({ nullable: true }))
  slot!: number | null;

  @Column(timeColumn({ nullable: true }))
  startedAt!: number | null;

  @Column(timeColumn({ nullable: true }))
  finishedAt!: number | null;

  /** ok | failed | skipped */
  @Column(stringColumn(16))
  outcome!: string | null;

  @Column(textColumn())
  error!: string | null;
}

export const fsInnerEntities = [FSInnerAuthModel, FSInnerDeptModel, FSInnerMembershipModel, FSInnerSyncRunModel, FSInnerEventModel];
