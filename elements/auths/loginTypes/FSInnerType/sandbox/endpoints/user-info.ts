import { appOfBearer, authenticateUser } from '../access.js';
import type { Route } from '../context.js';
import { FEISHU, fail } from '../errors.js';
import { json } from '../http.js';
import { userInfoView } from '../projection.js';

/**
 * §3 `GET /open-apis/authen/v1/user_info`. The user's state is checked on every call (20008
 * gone, 20021 resigned, 20022 frozen), so a user resigned after sign-in is refused here.
 */
export const userInfoRoute: Route = {
  name: 'user_info',
  method: 'GET',
  path: '/open-apis/authen/v1/user_info',
  style: 'open',
  appOf: appOfBearer,
  handle: (ctx) => {
    const { app, openId } = authenticateUser(ctx);
    const user = ctx.state.org.findUser(openId, 'open_id');
    if (!user) fail(FEISHU.userNotExist);
    if (user.status.is_resigned) fail(FEISHU.userResigned);
    if (user.status.is_frozen) fail(FEISHU.userFrozen);
    return json({ code: 0, msg: 'success', data: userInfoView(ctx.state.org, user, app) });
  },
};
