/**
 * Contact v3 objects in Feishu's own shapes (contract §4), stored as the API returns them with its
 * default id types: users and leaders as open_id, departments as open_department_id.
 */

export type UserIdType = 'open_id' | 'union_id' | 'user_id';
export type DepartmentIdType = 'open_department_id' | 'department_id';

/** Root department id: "0" in every id type (contract §4). */
export const ROOT_DEPARTMENT_ID = '0';

export interface FeishuAvatar {
  avatar_72: string;
  avatar_240: string;
  avatar_640: string;
  avatar_origin: string;
}

export interface FeishuUserStatus {
  is_frozen: boolean;
  is_resigned: boolean;
  is_activated: boolean;
  is_exited: boolean;
  is_unjoin: boolean;
}

export interface FeishuUserOrder {
  department_id: string;
  user_order: number;
  /** Bigger = earlier; the primary department has the largest department_order (contract §4). */
  department_order: number;
  is_primary_dept: boolean;
}

export interface FeishuUser {
  union_id: string;
  user_id: string;
  open_id: string;
  name: string;
  en_name: string;
  nickname?: string;
  email?: string;
  enterprise_email?: string;
  mobile?: string;
  mobile_visible: boolean;
  /** 0 unknown, 1 male, 2 female, 3 other. */
  gender: 0 | 1 | 2 | 3;
  avatar: FeishuAvatar;
  status: FeishuUserStatus;
  department_ids: string[];
  /** The user's direct manager (open_id), absent at the top of the tree. */
  leader_user_id?: string;
  city?: string;
  country?: string;
  work_station?: string;
  /** Unix seconds. */
  join_time: number;
  is_tenant_manager: boolean;
  employee_no: string;
  /** 1 regular, 2 intern, 3 outsourced, 4 contractor, 5 consultant. */
  employee_type: number;
  orders: FeishuUserOrder[];
  job_title?: string;
}

export interface FeishuDepartmentLeader {
  /** 1 primary, 2 deputy. Note the camelCase: Feishu spells these two fields this way. */
  leaderType: 1 | 2;
  leaderID: string;
}

export interface FeishuDepartment {
  name: string;
  i18n_name: { zh_cn?: string; ja_jp?: string; en_us?: string };
  parent_department_id: string;
  department_id: string;
  open_department_id: string;
  leader_user_id?: string;
  chat_id?: string;
  /** A string; smaller = earlier. */
  order: string;
  unit_ids: string[];
  member_count: number;
  primary_member_count: number;
  status: { is_deleted: boolean };
  leaders: FeishuDepartmentLeader[];
}
