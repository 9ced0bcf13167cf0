/** The parts of Feishu's payloads this element reads (contract §2a, §3, §4). */

export interface TenantTokenReply {
  code: number;
  tenant_access_token: string;
  expire: number;
}

export interface OAuthTokenReply {
  code: number;
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  token_type: string;
  scope?: string;
}

export interface FeishuUserInfo {
  name?: string;
  en_name?: string;
  avatar_url?: string;
  avatar_thumb?: string;
  avatar_middle?: string;
  avatar_big?: string;
  open_id: string;
  union_id?: string;
  email?: string;
  enterprise_email?: string;
  user_id?: string;
  mobile?: string;
  tenant_key?: string;
  employee_no?: string;
}

export interface FeishuContactUser {
  union_id?: string;
  user_id?: string;
  open_id?: string;
  name?: string;
  en_name?: string;
  email?: string;
  enterprise_email?: string;
  mobile?: string;
  gender?: number;
  avatar?: { avatar_72?: string; avatar_240?: string; avatar_640?: string; avatar_origin?: string };
  status?: { is_frozen?: boolean; is_resigned?: boolean; is_activated?: boolean; is_exited?: boolean; is_unjoin?: boolean };
  department_ids?: string[];
  leader_user_id?: string;
  job_title?: string;
  employee_no?: string;
  employee_type?: number;
  orders?: Array<{ department_id?: string; user_order?: number; department_order?: number; is_primary_dept?: boolean }>;
}

/** Contact v3 objects: every field but the ids may be withheld for want of a permission (events-and-scopes notes §4.2). */
export interface FeishuDepartment {
  name?: string;
  parent_department_id?: string;
  department_id?: string;
  open_department_id: string;
  leader_user_id?: string;
  leaders?: Array<{ leaderType?: number; leaderID?: string }>;
  order?: string;
  member_count?: number;
  primary_member_count?: number;
  status?: { is_deleted?: boolean };
}

/** GET /contact/v3/scopes (events-and-scopes notes §4.2). */
export interface ContactScopesPage {
  department_ids?: string[];
  user_ids?: string[];
  group_ids?: string[];
  has_more?: boolean;
  page_token?: string;
}

export interface Envelope<T> {
  code: number;
  msg?: string;
  data: T;
}

export interface Page<T> {
  has_more: boolean;
  page_token?: string;
  items?: T[];
}
