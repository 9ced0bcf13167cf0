import { afterEach, describe, expect, test } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { LongConnection, redact, type LongConnectionOptions, type SchemaV2Envelope } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/long-connection.js';
import { SDK_APP_ID, completeApp, startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { LeaseModel } from '../../../../../../runtime/db/lease-model.js';
import { RuntimeCodes } from '../../../../../../runtime/errcode.js';
import { ENGINE, sharedTestDatabase } from '../../../../../helpers/database.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** The sandbox with an app id the SDK accepts, quick reconnects and quick retries (15 s × 0.01). */
async function sandbox(): Promise<Sandbox> {
  const s = await startSandbox({ apps: [completeApp({ appId: SDK_APP_ID })], events: { timeScale: 0.01, clientConfig: { ReconnectNonce: 0, ReconnectInterval: 1 } } });
  cleanups.push(() => s.close());
  return s;
}

/** One database; each call opens a connection of its own to it, as another process would. */
const database = () => sharedTestDatabase([LeaseModel], cleanups);

interface Unit {
  lc: LongConnection;
  recorded: SchemaV2Envelope[];
  lines: string[];
}

function unit(s: Sandbox, dataSource: DataSource, extra: Partial<LongConnectionOptions> = {}): Unit {
  const recorded: SchemaV2Envelope[] = [];
  const lines: string[] = [];
  const lc = new LongConnection({
    appId: s.appId,
    appSecret: s.appSecret,
    domain: s.baseUrl,
    dataSource,
    leaseName: `auths.loginTypes.Test.longConnection`,
    now: Date.now,
    record: async (envelope) => void recorded.push(envelope),
    log: (line) => lines.push(line),
    leaseTtlMs: 600,
    leaseRetryMs: 150,
    ...extra,
  });
  cleanups.push(() => lc.close());
  return { lc, recorded, lines };
}

const delivery = (s: Sandbox, eventId: string) => s.events.deliveries({ eventId })[0];

describe(`LongConnection against the sandbox (${ENGINE})`, () => {
  test('records each contact event as a schema 2.0 envelope, and Feishu sees it acked', async () => {
    const s = await sandbox();
    const connect = await database();
    const a = unit(s, await connect());
    expect(a.lc.status()).toMatchObject({ state: 'idle', holder: false });
    await a.lc.start();
    await until(() => a.lc.status().state === 'connected', 5000, 'connected');
    expect(a.lc.status()).toMatchObject({ holder: true, reconnects: 0 });
    await s.events.subscribe(s.appId, { mode: 'websocket' });

    const { openId, eventIds } = s.changes.addUser({ user_id: 'lc-user-1', name: '长连接' });
    await until(() => delivery(s, eventIds[0]!)?.state === 'delivered', 5000, 'the ack');
    expect(delivery(s, eventIds[0]!)).toMatchObject({ lastStatus: 'ack 200', transport: 'websocket', attempts: 1 });
    expect(a.recorded).toHaveLength(1);
    const envelope = a.recorded[0]!;
    expect(envelope.schema).toBe('2.0');
    expect(envelope.header).toEqual({ event_id: eventIds[0], event_type: 'contact.user.created_v3', create_time: expect.stringMatching(/^\d{13}$/), app_id: SDK_APP_ID, tenant_key: s.org.tenantKey });
    expect(Object.keys(envelope.event)).toEqual(['object']);
    expect(envelope.event['object']).toMatchObject({ open_id: openId, name: '长连接' });
    expect(JSON.stringify(envelope)).not.toContain('"token"');
    expect(a.lc.status().lastEventAt).toBeGreaterThan(0);

    const dept = s.changes.addDepartment({ department_id: 'lc-dept-1', name: '新部门' });
    await until(() => a.recorded.some((e) => e.header.event_type === 'contact.department.created_v3'), 5000, 'the department event');
    expect(a.recorded.find((e) => e.header.event_type === 'contact.department.created_v3')!.event['object']).toMatchObject({ open_department_id: dept.openDepartmentId });
  });

  test('an event whose recording fails is not acked 200, and is recorded when Feishu pushes it again', async () => {
    const s = await sandbox();
    const connect = await database();
    let failNext = true;
    const recorded: SchemaV2Envelope[] = [];
    const a = unit(s, await connect(), {
      record: async (envelope) => {
        if (failNext) {
          failNext = false;
          throw new Error('database is down');
        }
        recorded.push(envelope);
      },
    });
    await a.lc.start();
    await until(() => a.lc.status().state === 'connected', 5000, 'connected');
    await s.events.subscribe(s.appId, { mode: 'websocket' });
    const { eventIds } = s.changes.addUser({ user_id: 'lc-user-2', name: '失败' });
    await until(() => (delivery(s, eventIds[0]!)?.history.length ?? 0) >= 1, 5000, 'the first attempt');
    expect(delivery(s, eventIds[0]!)!.history[0]!.status).toBe('ack 500');
    expect(a.lc.status().lastError).toMatch(/recording contact\.user\.created_v3 .* failed.*database is down/);
    await until(() => delivery(s, eventIds[0]!)?.state === 'delivered', 5000, 'the retry to be acked');
    expect(recorded.map((e) => e.header.event_id)).toEqual([eventIds[0]]);
  });

  test('of two processes on one database one connects and the other stands by, taking over when the first closes', async () => {
    const s = await sandbox();
    const connect = await database();
    const a = unit(s, await connect());
    await a.lc.start();
    await until(() => a.lc.status().state === 'connected', 5000, 'a connected');
    const b = unit(s, await connect());
    await b.lc.start();
    await sleep(400); // b has tried the lease a few times
    expect(b.lc.status()).toMatchObject({ state: 'standby', holder: false });
    expect(s.events.connections()).toHaveLength(1);

    await a.lc.close();
    expect(a.lc.status()).toMatchObject({ state: 'idle', holder: false });
    await until(() => b.lc.status().state === 'connected', 150 * 1.25 + 3000, 'b to take over');
    await until(() => s.events.connections().length === 1, 2000, "a's socket to be gone");
    await s.events.subscribe(s.appId, { mode: 'websocket' });
    const { eventIds } = s.changes.addUser({ user_id: 'lc-user-3', name: '接管' });
    await until(() => delivery(s, eventIds[0]!)?.state === 'delivered', 5000, 'the ack');
    expect(b.recorded.map((e) => e.header.event_id)).toEqual(eventIds);
    expect(a.recorded).toEqual([]);
  });

  test('a holder that loses its lease closes its connection and stands by', async () => {
    const s = await sandbox();
    const ds = await (await database())();
    const a = unit(s, ds);
    await a.lc.start();
    await until(() => a.lc.status().state === 'connected', 5000, 'connected');
    // Another process took the lease over (this one's renewals were late): the next renewal finds out.
    await ds.getRepository(LeaseModel).update({ name: 'auths.loginTypes.Test.longConnection' }, { holder: 'another-process', expiresAt: Date.now() + 60_000 });
    await until(() => a.lc.status().state === 'standby', 600 / 3 + 1000, 'standby');
    await until(() => s.events.connections().length === 0, 2000, 'the socket to close');
    expect(a.lines.some((l) => l.includes('lease lost'))).toBe(true);
  });

  test('a dropped connection is re-opened, counted and logged', async () => {
    const s = await sandbox();
    const a = unit(s, await (await database())());
    await a.lc.start();
    await until(() => a.lc.status().state === 'connected', 5000, 'connected');
    expect(s.events.closeConnections()).toBe(1);
    await until(() => a.lc.status().reconnects === 1, 3000, 'the drop to be seen');
    await until(() => a.lc.status().state === 'connected', 5000, 'reconnected');
    expect(a.lines.some((l) => l.includes('connection dropped, reconnecting'))).toBe(true);
    expect(a.lines.some((l) => l.includes('reconnected'))).toBe(true);
  });

  test('a wrong secret ends in failed with the reason, never the secret, and is tried again later', async () => {
    const s = await sandbox();
    const wrong = 'not-the-secret-4f2a9c';
    const a = unit(s, await (await database())(), { appSecret: wrong, failedRetryMs: 800 });
    await a.lc.start();
    await until(() => a.lc.status().state === 'failed', 5000, 'failed');
    const status = a.lc.status();
    expect(status.holder).toBe(true);
    expect(status.lastError).toMatch(/Feishu refused the long connection \(Feishu code 514: auth failed\): check appId and appSecret/);
    expect(s.events.connections()).toEqual([]);
    // The console's secret is reset to what this process has: the next try connects.
    s.apps[0]!.appSecret = wrong;
    await until(() => a.lc.status().state === 'connected', 3000, 'the retry to connect');
    expect(a.lines.join('\n')).not.toContain(wrong);
  });

  test('an appId the SDK would refuse is refused before starting, naming the field', async () => {
    const s = await sandbox();
    const a = unit(s, await (await database())(), { appId: 'cli_sandbox0000000001' });
    await expect(a.lc.start()).rejects.toMatchObject({ code: RuntimeCodes.INVALID_PARAMS, details: { field: 'appId' }, message: expect.stringContaining('cli_ followed by 16 hexadecimal digits') });
    expect(a.lc.status()).toMatchObject({ state: 'failed', holder: false, lastError: expect.stringContaining('cli_sandbox0000000001') });
  });
});

describe('redact', () => {
  test('takes tickets, URL queries, credential fields and the secret out of SDK log lines', () => {
    const line = redact('get connect config success, ws url: wss://msg-frontier.feishu.cn/ws/v2?fpid=1&device_id=7&ticket=T-abc {"AppSecret":"s3cr3t-value"} access_key=K1 failed with s3cr3t-value', 's3cr3t-value');
    expect(line).not.toMatch(/T-abc|K1|s3cr3t-value/);
    expect(line).toContain('wss://msg-frontier.feishu.cn/ws/v2?…');
  });
});
