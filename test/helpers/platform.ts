import type { Tree } from './fixture.js';

/** A Type module that greets with its config; `tag` tells which layer's class is running. */
export const greeterModule = (tag: string): string => `
export function extend(Base: any) {
  return class extends Base {
    tag = ${JSON.stringify(tag)};
    greet(name: string): string { return \`\${this.config.greeting}, \${name}\`; }
  };
}
`;

export const greeterSchema = {
  type: 'object',
  required: ['greeting'],
  additionalProperties: false,
  properties: {
    greeting: { type: 'string', minLength: 1 },
    times: { type: 'integer', minimum: 1, default: 1 },
    secret: { type: 'string' },
  },
};

/** A platform layer like elements/: one Meta and one Type with a config schema. */
export const platformTree = (): Tree => ({
  'platform/things/Meta/e.json': { title: 'Things', type: '' },
  'platform/things/GreeterType/e.json': { title: 'Greeter', type: 'things.Meta', backendBundleEntry: 'index.ts', configSchema: 'config.schema.json' },
  'platform/things/GreeterType/config.schema.json': greeterSchema,
  'platform/things/GreeterType/index.ts': greeterModule('platform'),
});

/** An instance folder of things.GreeterType. */
export const greeter = (appRelDir: string, config: object | string, title = 'A greeter'): Tree => {
  const name = appRelDir.slice(appRelDir.lastIndexOf('/') + 1);
  return {
    [`${appRelDir}/e.json`]: { title, type: 'things.GreeterType' },
    [`${appRelDir}/${name}.json`]: config,
  };
};

export interface Greeter {
  tag: string;
  config: { greeting: string; times: number; secret?: string };
  greet(name: string): string;
}
