/** Names used by faults, stats and rate limiting; one per emulated Feishu endpoint. */
export const ENDPOINT_NAMES = [
  'tenant_token',
  'app_token',
  'oauth_token',
  'user_info',
  'user_get',
  'users_batch',
  'find_by_department',
  'department_get',
  'department_children',
  'departments_batch',
  'contact_scopes',
  'authorize',
  'ws_endpoint',
] as const;

export type EndpointName = (typeof ENDPOINT_NAMES)[number];

export function isEndpointName(value: unknown): value is EndpointName {
  return typeof value === 'string' && (ENDPOINT_NAMES as readonly string[]).includes(value);
}
