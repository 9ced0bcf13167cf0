import type { Tree } from './fixture.js';

/**
 * A fixture Type that declares what an element can plug into the runtime
 * besides methods: HTTP endpoints (`static endpoints`), a `jit` command
 * (`static cli`) and a `jit serve` companion (`static devServers`). Its
 * instance `probes.Echo` greets with `${PROBE_GREETING:-plain}`, which the
 * companion's env fills in.
 */
export const PROBE = 'probes.Echo';

export const PROBE_ENDPOINTS = [
  { method: 'POST', path: 'events', access: 'public', body: 'raw', handler: 'onEvent' },
  { method: 'DELETE', path: 'events', access: 'admin', handler: 'onSettings' },
  { method: 'POST', path: 'settings', access: 'admin', handler: 'onSettings' },
  { method: 'GET', path: 'me', access: 'user', handler: 'onMe' },
  { method: 'GET', path: 'deep/status', access: 'public', rateLimit: 'signIn', handler: 'onStatus' },
] as const;

const probeModule = `
export function extend(Base: any) {
  return class Echo extends Base {
    static endpoints = ${JSON.stringify(PROBE_ENDPOINTS)};
    static cli = [
      {
        name: 'probe-echo',
        description: 'print the arguments and options it was given',
        arguments: [{ name: '<appDir>', description: 'app folder' }],
        options: [{ flags: '--word <word>', description: 'a word', default: 'hi' }],
        async run(options: Record<string, unknown>, context: any) {
          context.out(JSON.stringify({ args: context.args, options }));
          return options.word === 'fail' ? 3 : 0;
        },
      },
    ];
    static devServers = [
      {
        option: '--probe-companion [value]',
        description: 'a companion for tests',
        async start(value: unknown, context: any) {
          const record = ((globalThis as any).__probeCompanion ??= { started: [], closed: 0 });
          record.started.push({ value, context });
          return {
            env: { PROBE_GREETING: 'from the companion', PROBE_UNUSED: 'companion' },
            message: 'probe companion up',
            close: async () => { record.closed++; },
          };
        },
      },
    ];

    greeting() {
      return this.config.greeting;
    }

    async onEvent(request: any) {
      return {
        status: 202,
        headers: { 'x-probe': 'yes' },
        body: { isBuffer: Buffer.isBuffer(request.body), bytes: [...request.body], contentType: request.headers['content-type'] ?? null, path: request.path, query: request.query },
      };
    }

    async onSettings(request: any) {
      return { body: { method: request.method, got: request.body ?? null, user: request.user?.id ?? null } };
    }

    async onMe(request: any) {
      return { body: { user: request.user } };
    }

    async onStatus() {
      return { body: 'fine' };
    }
  };
}
`;

/** The probe Meta, Type and instance inside the app folder `appRelDir` (e.g. 'apps/demo'). */
export const probeTree = (appRelDir: string): Tree => ({
  [`${appRelDir}/probes/Meta/e.json`]: { title: 'Probes', type: '' },
  [`${appRelDir}/probes/EchoType/e.json`]: {
    title: 'Echo',
    type: 'probes.Meta',
    backendBundleEntry: 'index.ts',
    configSchema: 'config.schema.json',
    functionList: [{ name: 'greeting', access: 'public', args: [] }],
  },
  [`${appRelDir}/probes/EchoType/config.schema.json`]: { type: 'object', additionalProperties: false, properties: { greeting: { type: 'string', default: 'hello' } } },
  [`${appRelDir}/probes/EchoType/index.ts`]: probeModule,
  [`${appRelDir}/probes/Echo/e.json`]: { title: 'Echo', type: 'probes.EchoType' },
  [`${appRelDir}/probes/Echo/Echo.json`]: { greeting: '${PROBE_GREETING:-plain}' },
});
