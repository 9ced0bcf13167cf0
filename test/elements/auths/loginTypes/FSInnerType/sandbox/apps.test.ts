import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { REQUIRED_PERMISSIONS } from '../../../../../../elements/auths/loginTypes/FSInnerType/permissions.js';
import { DEFAULT_APP_SCOPES, REFRESH_TOKEN_SCOPE, SCOPES, WHOLE_CONTACT_SCOPES, completeApp, defaultApp } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';

/** The permissions named in the README's "Going live" table, in order. */
function goingLiveList(): string[] {
  const readme = readFileSync(new URL('../../../../../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('<!-- permissions:going-live -->');
  const end = readme.indexOf('<!-- /permissions -->', start);
  expect(start).toBeGreaterThan(0);
  return [...readme.slice(start, end).matchAll(/^\s*\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

describe("the demo app's grant is the README's Going-live list", () => {
  test('defaultApp (jit sandbox, npm start) is granted exactly the listed permissions', () => {
    expect(goingLiveList()).toEqual([...DEFAULT_APP_SCOPES]);
    expect(defaultApp().scopes).toEqual(goingLiveList());
  });

  test('the list is what the element relies on, no more and no less', () => {
    expect([...goingLiveList()].sort()).toEqual([...REQUIRED_PERMISSIONS].sort());
  });

  test('it holds the API-level permission and no whole-contact or offline_access one', () => {
    expect(DEFAULT_APP_SCOPES).toContain(SCOPES.contactBase);
    expect(DEFAULT_APP_SCOPES).toContain(SCOPES.departmentOrganize);
    for (const scope of [...WHOLE_CONTACT_SCOPES, REFRESH_TOKEN_SCOPE]) expect(DEFAULT_APP_SCOPES).not.toContain(scope);
  });

  test('an app a test names without scopes gets the same grant; one that names them gets only those', () => {
    expect(completeApp({ appId: 'cli_test' }).scopes).toEqual([...DEFAULT_APP_SCOPES]);
    expect(completeApp({ appId: 'cli_test', scopes: [SCOPES.contactBase] }).scopes).toEqual([SCOPES.contactBase]);
  });
});
