import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../../../runtime/http/server.js';
import { loadApp, type App } from '../../../../runtime/index.js';
import { tempDir, writeTree } from '../../../helpers/fixture.js';

let app: App;
let server: FastifyInstance;
const temp = tempDir();

beforeAll(async () => {
  writeTree(temp.dir, { 'app/app.json': { name: 'titled', title: 'Expense claims', i18n: { 'zh-CN': { title: '报销' } } } });
  app = await loadApp(`${temp.dir}/app`, { env: {}, dataDir: `${temp.dir}/data`, databaseUrl: 'sqlite::memory:' });
  server = await createHttpServer(app, { logLevel: false });
});

afterAll(async () => {
  await server?.close();
  await app?.close();
  temp.cleanup();
});

test("app.json's i18n names the app in the page's language; without one for a language, the title stands", async () => {
  const zh = await server.inject({ method: 'GET', url: '/login', headers: { 'accept-language': 'zh-CN' } });
  expect(zh.body).toMatch(/<h1>[^<]*报销[^<]*<\/h1>/);
  const en = await server.inject({ method: 'GET', url: '/login', headers: { 'accept-language': 'en' } });
  expect(en.body).toMatch(/<h1>[^<]*Expense claims[^<]*<\/h1>/);
  expect(app.titleIn('zh-CN')).toBe('报销');
  expect(app.titleIn('fr')).toBe('Expense claims');
});
