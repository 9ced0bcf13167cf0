import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { FSInnerEventCodes, FSInnerEventErrors } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/errors.js';
import { FSInnerType } from '../../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { statusFor } from '../../../../../../runtime/errcode.js';

const README = readFileSync(new URL('../../../../../../README.md', import.meta.url), 'utf8');

test("the README's table of contact-event Codes lists every one with its number and, for refusals, its HTTP status", () => {
  const start = README.indexOf('| code | name | HTTP | when |\n');
  expect(start).toBeGreaterThan(-1);
  const lines = README.slice(start).split('\n').slice(2);
  const rows = lines.slice(0, lines.findIndex((l) => !l.startsWith('|'))).map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
  expect(rows.map(([code, name]) => [Number(code), name!.replace(/`/g, '')])).toEqual(Object.entries(FSInnerEventCodes).map(([name, code]) => [code, `FSInnerEventCodes.${name}`]));
  for (const [code, , status] of rows) if (status !== '—') expect([code, statusFor(Number(code))]).toEqual([code, Number(status)]);
  expect(Object.keys(FSInnerEventErrors).length).toBe(rows.length);
});

test('FSInnerType declares the webhook endpoint and the services (events, schedule) the runtime mounts and starts', () => {
  expect(FSInnerType.endpoints).toEqual([{ method: 'POST', path: 'events', access: 'public', body: 'raw', handler: 'receiveEventPush' }]);
  expect(FSInnerType.services).toEqual([
    { name: 'contact events', method: 'startContactEvents' },
    { name: 'sync schedule', method: 'startSyncSchedule' },
  ]);
});
