/**
 * An app's own FSInnerType. The runtime hands `extend` the class this folder
 * overrides (the official FSInnerType), so the override subclasses it and
 * reaches the original through `super`. Config schema and functionList are
 * inherited because this e.json declares none.
 */
import type { ContactProfile, FSInnerType, FSInnerUserInfo } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';

/** Custom department_id allowed in; every instance seen through this app obeys it. */
export const ALLOWED_DEPARTMENT = 'engineering';

export interface EngineeringUserInfo extends FSInnerUserInfo {
  team: string;
  accessLevel: 'lead' | 'member';
}

export function extend(Base: typeof FSInnerType): typeof FSInnerType {
  class EngineeringOnlyFSInner extends Base {
    override async getLoginCode(params: { authCode: string; state?: string }): Promise<EngineeringUserInfo> {
      const user = await super.getLoginCode(params);
      const team = user.departments?.find((d) => d.customId === ALLOWED_DEPARTMENT);
      return { ...user, team: team?.name ?? ALLOWED_DEPARTMENT, accessLevel: team?.isLeader ? 'lead' : 'member' };
    }

    protected override async checkLoginAllowed(userId: string, profile: ContactProfile): Promise<void> {
      await super.checkLoginAllowed(userId, profile);
      // Departments unknown (null: the app cannot read them) count as not a member: refused, not let in.
      if (!profile.departments?.some((d) => d.customId === ALLOWED_DEPARTMENT)) {
        throw this.notAllowed(`Only members of the ${ALLOWED_DEPARTMENT} department may log in to this app.`, 'department');
      }
    }
  }
  return EngineeringOnlyFSInner;
}
