import { afterAll, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FSInnerAuthModel, FSInnerDeptModel, FSInnerMembershipModel, type FSInnerType } from '../../elements/auths/loginTypes/FSInnerType/index.js';
import { startSandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { loadApp } from '../../runtime/index.js';
import { createTestDatabase } from '../helpers/database.js';
import { tempDir, writeTree } from '../helpers/fixture.js';
import { RuntimeCodes } from '../../runtime/errcode.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const temp = tempDir('jit-crash-');
afterAll(() => temp.cleanup());

const BATCH = 500; // users per transaction in department-sync.ts

test('a full sync killed with SIGKILL midway leaves whole batches only, and the next sync completes', async () => {
  const sandbox = await startSandbox({ rate: 0, org: { departments: 120, users: 2400 } });
  const database = await createTestDatabase();
  try {
    writeTree(temp.dir, {
      'apps/demo/app.json': { name: 'demo' },
      'apps/demo/auths/loginTypes/FSInnerExample/e.json': { title: 'Feishu', type: 'auths.loginTypes.FSInnerType' },
      'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json': { appId: sandbox.appId, appSecret: sandbox.appSecret, domain: sandbox.baseUrl, requestsPerSecond: 1000, requestsPerMinute: 60000, syncLeaseSeconds: 5 },
    });
    const appDir = join(temp.dir, 'apps/demo');
    const dataDir = join(temp.dir, 'data');
    const env = { ...process.env, NODE_OPTIONS: '', ...(database.url ? { JIT_DATABASE_URL: database.url } : {}) };

    // 1. Start the sync in a child and kill it as soon as it has committed its first batch of users.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/multiprocess/sync-child.ts', appDir, dataDir], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const killedAt = await new Promise<{ usersWritten: number }>((resolve, reject) => {
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const progress = JSON.parse(line) as { phase?: string; usersWritten?: number; finished?: boolean };
          if (progress.finished) reject(new Error('the sync finished before it could be killed'));
          if (progress.phase === 'writing' && (progress.usersWritten ?? 0) >= BATCH) {
            child.kill('SIGKILL');
            resolve({ usersWritten: progress.usersWritten! });
          }
        }
      });
      child.once('exit', (code, signal) => signal !== 'SIGKILL' && reject(new Error(`child exited early: ${code}`)));
    });
    await new Promise((r) => child.once('exit', r));
    expect(killedAt.usersWritten).toBeGreaterThanOrEqual(BATCH);

    // 2. What the killed sync left is consistent: whole transactions only.
    const app = await loadApp(appDir, { dataDir, env: {}, ...(database.url ? { databaseUrl: database.url, migrate: true } : {}) });
    try {
      const users = await app.dataSource.getRepository(FSInnerAuthModel).count();
      const memberships = await app.dataSource.getRepository(FSInnerMembershipModel).find();
      const userIds = new Set((await app.dataSource.getRepository(FSInnerAuthModel).find()).map((u) => u.userId));
      expect(users % BATCH === 0 || users === sandbox.org.activeUsers().length).toBe(true);
      expect(memberships.every((m) => userIds.has(m.userId))).toBe(true); // no membership without its user
      expect(await app.dataSource.getRepository(FSInnerDeptModel).count()).toBe(sandbox.org.descendantDepartments('0').length);

      // 3. The dead process's lease expires (syncLeaseSeconds: 5) and the next sync completes.
      const fs = app.getElement<FSInnerType>('auths.loginTypes.FSInnerExample');
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          await fs.syncDepartmentInfo();
          break;
        } catch (err) {
          if ((err as { code?: number }).code !== RuntimeCodes.BUSY || Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      // Everyone Feishu lists in a department is stored, with every membership, and nobody twice.
      const listed = sandbox.org.activeUsers().filter((u) => u.department_ids.length > 0);
      const stored = await app.dataSource.getRepository(FSInnerAuthModel).find();
      const storedIds = new Set(stored.map((u) => u.userId));
      expect(listed.filter((u) => !storedIds.has(u.user_id)).map((u) => u.user_id)).toEqual([]);
      expect(storedIds.size).toBe(stored.length);
      const listedIds = new Set(listed.map((u) => u.user_id));
      const finalMemberships = (await app.dataSource.getRepository(FSInnerMembershipModel).find()).filter((m) => listedIds.has(m.userId));
      expect(finalMemberships).toHaveLength(listed.reduce((n, u) => n + u.department_ids.length, 0));
      expect(await app.dataSource.getRepository(FSInnerDeptModel).count()).toBe(sandbox.org.descendantDepartments('0').length);
    } finally {
      await app.close();
    }
  } finally {
    await sandbox.close();
    await database.drop();
  }
}, 90_000);
