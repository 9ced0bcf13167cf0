import { describe, expect, test } from '@jest/globals';
import { FSInnerDeptModel } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { useFeishuWorld } from './harness.js';

const world = useFeishuWorld();

async function until(condition: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the scheduled sync (syncSchedule): a service of the served app', () => {
  test('served, each tick runs a full sync, and the admin status shows the schedule, the last run and the next', async () => {
    const w = await world({ config: { syncSchedule: '* * * * * *', syncJitterSeconds: 0 }, sandbox: { org: { departments: 3, users: 5 } } });
    const fs = w.fs();
    expect(await fs.syncScheduleStatus()).toBeUndefined(); // not served: nothing scheduled
    await w.app.startServices();
    await until(async () => (await fs.syncScheduleStatus())?.lastRun?.outcome === 'ok', 'a scheduled sync');
    expect(await w.app.dataSource.getRepository(FSInnerDeptModel).countBy({ instance: 'auths.loginTypes.FSInnerExample' })).toBeGreaterThanOrEqual(3);
    const status = (await fs.syncScheduleStatus())!;
    expect(status).toMatchObject({ schedule: '* * * * * *', lastRun: { outcome: 'ok' } });
    expect(status.nextRunAt).toBeGreaterThan(status.lastRun!.startedAt);
  });

  test('without syncSchedule nothing runs', async () => {
    const w = await world({ sandbox: { org: { departments: 3, users: 5 } } });
    await w.app.startServices();
    await new Promise((r) => setTimeout(r, 1200));
    expect(await w.fs().syncScheduleStatus()).toBeUndefined();
    expect(await w.app.dataSource.getRepository(FSInnerDeptModel).countBy({ instance: 'auths.loginTypes.FSInnerExample' })).toBe(0);
  });

  test('a cron that is not one is refused by the config schema, naming the field', async () => {
    await expect(world({ config: { syncSchedule: 'every day' } })).rejects.toThrow(/syncSchedule/);
  });
});
