import { expect, test } from '@jest/globals';
import type { LightMyRequestResponse } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { FunctionSpec } from '../../../runtime/index.js';
import type { PARAM_TYPES } from '../../../runtime/loader/schemas.js';
import { fieldsOf, typeContract } from '../../../runtime/scaffold/schema.js';
import { REDIRECT_URI } from '../../elements/auths/loginTypes/FSInnerType/harness.js';
import { useHttpWorld, type HttpWorld } from './http-world.js';

/**
 * Nothing a public method returns comes from a secret field (issue #10): for
 * every instance of the demo-like world, every `access: "public"` method of its
 * functionList is called over HTTP — with no arguments, with arguments of the
 * declared types, and (for methods that start a session) through a real
 * sandbox login — anonymously and with a user's session; no reply carries the
 * value of any secret field (`writeOnly` or named like one) of any instance,
 * as it is, URL-encoded or base64-encoded.
 */
const httpWorld = useHttpWorld();

const SECRET = `distinct-appSecret-${randomBytes(12).toString('hex')}`;
const SECOND = 'auths.loginTypes.SecondProbe';

/** A value of each declared argument type: a well-formed call that the method has to answer. */
const SAMPLES: Record<(typeof PARAM_TYPES)[number], unknown> = {
  Stext: 'probe',
  Ltext: 'probe text',
  Numeric: 1.5,
  Integer: 1,
  Checkbox: true,
  JSON: { probe: true },
  List: ['probe'],
  Datetime: '2030-01-01T00:00:00.000Z',
};

async function world(): Promise<HttpWorld> {
  return httpWorld({
    sandbox: { apps: [{ appId: 'cli_publicprobe0001', appSecret: SECRET }] },
    tree: { [`apps/demo/${SECOND.split('.').join('/')}/e.json`]: { title: 'Second probe', type: 'auths.loginTypes.FSInnerType' } },
    otherConfig: 'SecondProbe',
  });
}

/** Every secret field's value of every instance, as its bound config holds it. */
function secretValues(w: HttpWorld): Map<string, string> {
  const values = new Map<string, string>();
  for (const instance of w.app.listElements({ kind: 'instance' })) {
    const config = w.app.getElement<{ config: Record<string, unknown> }>(instance.fullName).config;
    for (const field of fieldsOf(typeContract(w.app, instance.type)).filter((f) => f.secret)) {
      const value = config[field.name];
      if (typeof value === 'string') values.set(`${instance.fullName}#${field.name}`, value);
    }
  }
  return values;
}

/** The calls made of one public method: no arguments, typed arguments, and a real login for session-starting methods. */
async function callsOf(w: HttpWorld, id: string, method: FunctionSpec, cookie?: string): Promise<LightMyRequestResponse[]> {
  const typed = Object.fromEntries(method.args.map((arg) => [arg.name, SAMPLES[arg.dataType as keyof typeof SAMPLES]]));
  const replies = [await w.call(id, method.name, {}, cookie), await w.call(id, method.name, typed, cookie)];
  if (method.startsSession) {
    const browser = w.browser();
    const issued = (await browser.call(id, 'getLoginConfig')).json().data;
    const { code } = w.sandbox.issueCode({ userId: 'lisi', redirectUri: REDIRECT_URI });
    const login = await browser.call(id, method.name, { authCode: code, state: issued.state });
    expect([id, method.name, login.statusCode]).toEqual([id, method.name, 200]);
    replies.push(login);
  }
  return replies;
}

test('no public method of any instance returns the value of a secret field', async () => {
  const w = await world();
  const secrets = secretValues(w);
  expect([...secrets.keys()].sort()).toEqual(['auths.loginTypes.FSInnerExample#appSecret', `${SECOND}#appSecret`]);
  expect(new Set(secrets.values())).toEqual(new Set([SECRET]));
  const forms = [...new Set(secrets.values())].flatMap((value) => [value, encodeURIComponent(value), Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url')]);

  const user = await w.signIn('zhangsan');
  const called: string[] = [];
  const leaks: string[] = [];
  for (const instance of w.app.listElements({ kind: 'instance' })) {
    for (const method of w.app.functionList(instance.fullName).filter((f) => f.access === 'public')) {
      for (const cookie of [undefined, user]) {
        for (const reply of await callsOf(w, instance.fullName, method, cookie)) {
          const text = reply.body + JSON.stringify(reply.headers);
          for (const form of forms) if (text.includes(form)) leaks.push(`${instance.fullName}.${method.name}${cookie ? ' (signed in)' : ''}`);
        }
      }
      called.push(`${instance.fullName}.${method.name}`);
    }
  }
  // Not vacuous: both instances, both public methods of FSInnerType.
  expect(called.sort()).toEqual(['auths.loginTypes.FSInnerExample.getLoginConfig', 'auths.loginTypes.FSInnerExample.loginWithCode', `${SECOND}.getLoginConfig`, `${SECOND}.loginWithCode`]);
  expect(leaks).toEqual([]);
  expect(w.logs.filter((line) => forms.some((form) => line.includes(form)))).toEqual([]);
});
