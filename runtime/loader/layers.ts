import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DiagnosticCollector } from '../diagnostics/collector.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { readJsonFile } from './json-file.js';
import { errorMessage, errorPointer, validateAppJson } from './schemas.js';
import type { I18n } from './i18n.js';

/**
 * A layer is one root folder that element folders are discovered in.
 *
 * Resolution order (nearest first; the nearest definition of an id wins):
 *
 *   layer 0      the app itself                      apps/custom
 *   layer 1..n   its "extends" parents, depth-first,  apps/demo, then demo's parents, …
 *                in list order, each app once
 *   layer n+1    the platform: official elements     elements/
 */
export interface Layer {
  /** App name from app.json, or "@platform" for the official elements. */
  name: string;
  root: string;
  kind: 'app' | 'platform';
  /** 0 = the app being loaded; larger = farther away. */
  index: number;
}

export interface AppInfo {
  name: string;
  title: string;
  /** The title in other languages (app.json `i18n`, as in e.json). */
  i18n?: I18n;
  dir: string;
}

export interface ResolvedLayers {
  app: AppInfo;
  layers: Layer[];
  diagnostics: readonly Diagnostic[];
}

interface AppJson {
  name: string;
  title?: string;
  extends?: string[];
  i18n?: I18n;
}

export const PLATFORM_LAYER = '@platform';

export function resolveLayers(appDir: string, platformDir: string): ResolvedLayers {
  const diagnostics = new DiagnosticCollector();
  const layers: Layer[] = [];
  const visited = new Set<string>();
  const root = resolve(appDir);

  const readApp = (dir: string): AppJson => {
    const file = join(dir, 'app.json');
    const at = diagnostics.for({ file });
    if (!existsSync(file)) {
      at.report('APP_JSON_MISSING', `App folder ${dir} has no app.json; using the folder name.`);
      return { name: basename(dir) };
    }
    const read = readJsonFile(file);
    if (!read.ok) {
      at.add(read.diagnostics);
      return { name: basename(dir) };
    }
    at.add(read.warnings);
    if (!validateAppJson(read.value)) {
      for (const error of validateAppJson.errors ?? []) at.report('APP_JSON_INVALID', errorMessage(error), { pointer: errorPointer(error) });
      const value = read.value as Partial<AppJson> | null;
      return { name: typeof value?.name === 'string' && value.name ? value.name : basename(dir) };
    }
    return read.value as AppJson;
  };

  const visit = (dir: string, path: string[]): AppJson => {
    visited.add(dir);
    const app = readApp(dir);
    layers.push({ name: app.name, root: dir, kind: 'app', index: layers.length });
    const at = diagnostics.for({ file: join(dir, 'app.json') });
    (app.extends ?? []).forEach((parent, i) => {
      const parentDir = parent.startsWith('./') || parent.startsWith('../') ? resolve(dir, parent) : resolve(dirname(dir), parent);
      if (path.includes(parentDir) || parentDir === dir) {
        const cycle = [...path, dir, parentDir].map((d) => basename(d)).join(' → ');
        at.report('APP_EXTENDS_CYCLE', `"extends" forms a cycle: ${cycle}.`, { pointer: `/extends/${i}` });
        return;
      }
      if (visited.has(parentDir)) return;
      if (!existsSync(join(parentDir, 'app.json'))) {
        at.report('APP_EXTENDS_UNKNOWN', `App "${parent}" not found (looked for ${join(parentDir, 'app.json')}).`, { pointer: `/extends/${i}` });
        return;
      }
      visit(parentDir, [...path, dir]);
    });
    return app;
  };

  const app = visit(root, []);
  layers.push({ name: PLATFORM_LAYER, root: resolve(platformDir), kind: 'platform', index: layers.length });
  return { app: { name: app.name, title: app.title ?? app.name, ...(app.i18n ? { i18n: app.i18n } : {}), dir: root }, layers, diagnostics: diagnostics.list };
}
