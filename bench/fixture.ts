import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The Type every generated instance belongs to. */
export const TYPE_ID = 'auths.LoginType';
/** The config field the edit benchmark rewrites (an integer). */
export const EDIT_FIELD = 'timeoutMs';

const GROUPS = 300;
const OVERRIDE_SHARE = 0.05;

export interface InstanceSpec {
  id: string;
  /** Folder of the winning definition (the one an edit must touch to be visible). */
  dir: string;
  name: string;
}

export interface Fixture {
  root: string;
  platformDir: string;
  topDir: string;
  dataDir: string;
  /** Every instance id of `top` (N of them), with the folder of its winning definition. */
  instances: InstanceSpec[];
  overridden: number;
  cleanup: () => void;
}

const schema = {
  type: 'object',
  required: ['appId', 'appSecret'],
  additionalProperties: false,
  properties: {
    appId: { type: 'string', pattern: '^cli_[a-z0-9]+$' },
    appSecret: { type: 'string', minLength: 16 },
    enabled: { type: 'boolean', default: true },
    [EDIT_FIELD]: { type: 'integer', minimum: 1, maximum: 600000, default: 5000 },
    scopes: { type: 'array', items: { type: 'string' }, default: [] },
    redirectUri: { type: 'string' },
  },
};

const platformModule = 'export function extend(Base: any) {\n  return class LoginType extends Base {\n    describe(): string { return `${this.fullName} (${this.config.appId})`; }\n  };\n}\n';
const topModule = 'export function extend(Base) {\n  return class TopLoginType extends Base {\n    describe() { return `top: ${super.describe()}`; }\n  };\n}\n';

function write(file: string, content: string | object): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

export function config(i: number, layer: string, timeoutMs = 5000): object {
  return {
    appId: `cli_${layer}${i.toString(36)}`,
    appSecret: `secret-${layer}-${i}-0123456789abcdef`,
    enabled: i % 7 !== 0,
    [EDIT_FIELD]: timeoutMs,
    scopes: ['contact:user.base:readonly', `tenant_${i % 13}`],
    redirectUri: `https://example.com/${layer}/callback/${i}`,
  };
}

export function configFile(spec: InstanceSpec): string {
  return join(spec.dir, `${spec.name}.json`);
}

/**
 * Platform (Meta + Type with schema and .ts module), app `base` with the first
 * half of the instances, app `top` (extends base) with the second half, its
 * own .js override of the Type, and its own config for ~5% of base's instances.
 */
export function generate(n: number): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'jit-bench-'));
  write(join(root, 'package.json'), { type: 'module' }); // fixture Type modules are ESM
  const platformDir = join(root, 'platform');
  const baseDir = join(root, 'apps/base');
  const topDir = join(root, 'apps/top');
  write(join(platformDir, 'auths/Meta/e.json'), { title: 'Auths', type: '' });
  write(join(platformDir, 'auths/LoginType/e.json'), { title: 'Login type', type: 'auths.Meta', backendBundleEntry: 'index.ts', configSchema: 'schema.json' });
  write(join(platformDir, 'auths/LoginType/schema.json'), schema);
  write(join(platformDir, 'auths/LoginType/index.ts'), platformModule);
  write(join(baseDir, 'app.json'), { name: 'base' });
  write(join(topDir, 'app.json'), { name: 'top', extends: ['base'] });
  write(join(topDir, 'auths/LoginType/e.json'), { title: 'Login type (top)', type: 'auths.Meta', backendBundleEntry: 'index.js' });
  write(join(topDir, 'auths/LoginType/index.js'), topModule);

  const instances: InstanceSpec[] = [];
  const baseCount = Math.floor(n / 2);
  const overrideEvery = Math.max(1, Math.round(1 / OVERRIDE_SHARE));
  let overridden = 0;
  for (let i = 0; i < n; i++) {
    const inBase = i < baseCount;
    const group = `g${String(i % GROUPS).padStart(3, '0')}`;
    const name = `I${String(i).padStart(5, '0')}`;
    const rel = `auths/loginTypes/${group}/${name}`;
    const layerDir = inBase ? baseDir : topDir;
    write(join(layerDir, rel, 'e.json'), { title: `Instance ${i}`, type: TYPE_ID });
    write(join(layerDir, rel, `${name}.json`), config(i, inBase ? 'base' : 'top'));
    let dir = join(layerDir, rel);
    if (inBase && i % overrideEvery === 0) {
      dir = join(topDir, rel);
      write(join(dir, 'e.json'), { title: `Instance ${i} (top override)`, type: TYPE_ID });
      write(join(dir, `${name}.json`), config(i, 'override'));
      overridden++;
    }
    instances.push({ id: rel.split('/').join('.'), dir, name });
  }
  return { root, platformDir, topDir, dataDir: join(root, 'data'), instances, overridden, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
