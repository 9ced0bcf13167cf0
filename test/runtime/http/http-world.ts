import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { PassThrough } from 'node:stream';
import { createHttpServer } from '../../../runtime/http/server.js';
import { REDIRECT_URI, useFeishuWorld, type FeishuWorld } from '../../elements/auths/loginTypes/FSInnerType/harness.js';
import { afterEach } from '@jest/globals';

export interface HttpWorld extends FeishuWorld {
  server: FastifyInstance;
  /** Every log line the server wrote. */
  logs: string[];
  /** Every response body seen through `call`/`inject`. */
  bodies: string[];
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** POST /api/<id>/<method> with a JSON body and optional session cookie. */
  call(id: string, method: string, body?: unknown, cookie?: string): Promise<LightMyRequestResponse>;
  /** Logs a sandbox user in through loginWithCode; returns the session cookie ("jit_session=…"). */
  signIn(userId: string): Promise<string>;
  /** A browser: keeps the cookies the server sets and sends them back, like a real one. */
  browser(): TestBrowser;
}

export interface TestBrowser {
  readonly cookies: Map<string, string>;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  call(id: string, method: string, body?: unknown): Promise<LightMyRequestResponse>;
}

/** The FSInnerExample world of the element tests, served by the HTTP layer (fastify inject, no socket). */
export function useHttpWorld() {
  const world = useFeishuWorld();
  const servers: FastifyInstance[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });
  return async function httpWorld(options: Parameters<typeof world>[0] = {}): Promise<HttpWorld> {
    const w = await world({ ...options, config: { adminUserIds: ['zhangsan'], ...options.config } });
    const logs: string[] = [];
    const bodies: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const server = await createHttpServer(w.app, { logLevel: 'debug', logStream: stream });
    servers.push(server);
    const inject: HttpWorld['inject'] = async (opts) => {
      const response = await server.inject(opts);
      bodies.push(response.body);
      return response;
    };
    const call: HttpWorld['call'] = (id, method, body = {}, cookie) =>
      inject({ method: 'POST', url: `/api/${id.split('.').join('/')}/${method}`, payload: body as object, headers: cookie ? { cookie } : {} });
    const signIn = async (userId: string) => {
      const issued = await call('auths.loginTypes.FSInnerExample', 'getLoginConfig');
      const config = issued.json().data;
      const { code } = w.sandbox.issueCode({ userId, redirectUri: REDIRECT_URI });
      const reply = await call('auths.loginTypes.FSInnerExample', 'loginWithCode', { authCode: code, state: config.state }, cookieNamed(issued, 'jit_login'));
      if (reply.statusCode !== 200) throw new Error(`sign-in failed: ${reply.body}`);
      return sessionCookie(reply)!;
    };
    const browser = (): TestBrowser => {
      const cookies = new Map<string, string>();
      const send = async (opts: InjectOptions) => {
        const jar = [...cookies].map(([name, value]) => `${name}=${value}`);
        const own = (opts.headers as Record<string, string> | undefined)?.['cookie'];
        const reply = await inject({ ...opts, headers: { ...(opts.headers as object), cookie: [...jar, ...(own ? [own] : [])].join('; ') } });
        for (const header of [reply.headers['set-cookie'] ?? []].flat()) {
          const [pair, ...attributes] = String(header).split(';');
          const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
          if (value === '' || attributes.some((a) => /^\s*max-age=0$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a))) cookies.delete(name);
          else cookies.set(name, value);
        }
        return reply;
      };
      return {
        cookies,
        inject: send,
        get: (url) => send({ method: 'GET', url }),
        call: (id, method, body = {}) => send({ method: 'POST', url: `/api/${id.split('.').join('/')}/${method}`, payload: body as object }),
      };
    };
    return { ...w, server, logs, bodies, inject, call, signIn, browser };
  };
}

/** "jit_session=<token>" from a reply's Set-Cookie, if any. */
export function sessionCookie(reply: LightMyRequestResponse): string | undefined {
  return cookieNamed(reply, 'jit_session');
}

/** "<name>=<value>" from a reply's Set-Cookie (e.g. the browser binding "jit_login" set by getLoginConfig), if any. */
export function cookieNamed(reply: LightMyRequestResponse, name: string): string | undefined {
  const header = [reply.headers['set-cookie'] ?? []].flat().find((c) => String(c).startsWith(`${name}=`));
  return header ? String(header).split(';')[0] : undefined;
}
