import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { ElementCatalog } from '../element-queries.js';
import { Element } from '../element.js';
import { idLengthProblem, isFullName } from '../ids.js';
import { escapePointer } from '../loader/definition.js';
import { isPlainObject, readJsonFile } from '../loader/json-file.js';
import type { ElementDefinition } from '../loader/definition.js';
import { resolveInsideElement } from '../loader/modules.js';
import type { AppManifest } from '../manifest.js';
import { ENV_PATTERN_KEYWORD } from '../loader/placeholders.js';
import { IGNORED_GLOBS } from '../loader/scan.js';
import {
  configFileName,
  envVariableFor,
  isPlaceholder,
  isSecretField,
  orderKeys,
  placeholderErrors,
  ScaffoldError,
  titleFromName,
  typeContract,
  validateConfig,
  type FieldError,
  type TypeContract,
} from './schema.js';

/** A secret field written as a placeholder: the variable to set before the app starts (or reloads). */
export interface EnvNeeded {
  field: string;
  variable: string;
}

export interface WriteResult {
  fullName: string;
  dir: string;
  /** Files written, absolute paths. */
  files: string[];
  /** Secret fields written as `${VARIABLE}` and placeholders already in the config: what the environment must provide. */
  env: EnvNeeded[];
}

export interface CreateInstanceRequest {
  fullName: string;
  type: string;
  title?: string;
  /** Only what the user gave: schema defaults are applied at load, never written. */
  config: Record<string, unknown>;
  /**
   * Write secret values typed in as they are; default: write `${VARIABLE}` placeholders instead.
   * Placeholders given in the config are accepted only in secret fields, naming a variable the
   * field's `x-env-pattern` allows and never a `JIT_*` one (schema.ts, placeholderProblem).
   */
  secretsAsValues?: boolean;
  /** Replace an existing element folder's e.json and config file. */
  force?: boolean;
}

/** JSON as written by every scaffold: 2-space indent, newline at the end. */
export const jsonText = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** Writes a temp file in the target's folder, then renames it over the target: readers (and the watcher) see the old or the new file, never half of one. */
export function writeFileAtomic(file: string, text: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, file);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
    throw err;
  }
}

/**
 * Writes a new element folder at once: the files go into a hidden temp folder
 * next to it (hidden folders are never scanned nor watched), which is then
 * renamed into place. An existing folder (only with `force`) gets each file
 * replaced atomically instead.
 */
function writeElementFolder(dir: string, files: Record<string, string>): string[] {
  const written = Object.keys(files).map((name) => join(dir, name));
  if (existsSync(dir)) {
    for (const [name, text] of Object.entries(files)) writeFileAtomic(join(dir, name), text);
    return written;
  }
  mkdirSync(dirname(dir), { recursive: true });
  const temp = join(dirname(dir), `.${basename(dir)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  mkdirSync(temp);
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(temp, name), text);
    renameSync(temp, dir);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    throw err;
  }
  return written;
}

const elementDir = (app: ElementCatalog, fullName: string): string => join(app.dir, ...fullName.split('.'));
const lastSegment = (fullName: string): string => fullName.slice(fullName.lastIndexOf('.') + 1);

// Folders the loader never scans (IGNORED_GLOBS: `**/name/**` anywhere, `name/**` at the app root): an element there would never load.
function ignoredFolder(fullName: string): string | undefined {
  const segments = fullName.toLowerCase().split('.');
  for (const glob of IGNORED_GLOBS) {
    const match = /^(\*\*\/)?([^/*]+)\/\*\*$/.exec(glob);
    if (!match) continue;
    const name = match[2]!.toLowerCase();
    if (match[1] ? segments.includes(name) : segments[0] === name) return name;
  }
  return undefined;
}

/**
 * A file-system error of writing an element folder that the requested id
 * caused (too long a name, a part naming a file, a folder that appeared
 * meanwhile) as a refusal naming `fullName`; anything else (permissions, a
 * full disk) is the server's problem and is thrown as it is.
 */
function writeRefusal(err: unknown, app: ElementCatalog, dir: string): unknown {
  const reasons: Record<string, string> = {
    ENAMETOOLONG: 'too long for the file system',
    ENOTDIR: 'a part of it names a file, not a folder',
    EEXIST: 'already exists',
    ENOTEMPTY: 'already exists',
    EISDIR: 'a folder is in the way of one of its files',
    ELOOP: 'a part of it is a symbolic link loop',
  };
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const reason = (code === 'EEXIST' || code === 'ENOTDIR') && fileAbove(app, dir) ? reasons['ENOTDIR'] : code !== undefined ? reasons[code] : undefined;
  if (reason === undefined) return err;
  return new ScaffoldError(`Cannot write ${relative(app.dir, dir) || dir} (${code}): ${reason}; nothing was written.`, [{ field: 'fullName', pointer: '/fullName', message: reason }]);
}

/** True when a folder between the app and `dir` is in fact a file (mkdir then fails with EEXIST or ENOTDIR). */
function fileAbove(app: ElementCatalog, dir: string): boolean {
  for (let path = dirname(dir); path.length > app.dir.length && path.startsWith(app.dir); path = dirname(path)) {
    try {
      if (!statSync(path).isDirectory()) return true;
    } catch {
      /* not there (yet) */
    }
  }
  return false;
}

function assertNewId(app: ElementCatalog, fullName: string, force: boolean | undefined): void {
  const tooLong = typeof fullName === 'string' ? idLengthProblem(fullName) : undefined;
  if (tooLong !== undefined) {
    const shown = fullName.length > 48 ? `${fullName.slice(0, 48)}…` : fullName;
    throw new ScaffoldError(`"${shown}" ${tooLong}.`, [{ field: 'fullName', pointer: '/fullName', message: tooLong }]);
  }
  if (!isFullName(fullName)) {
    throw new ScaffoldError(`"${String(fullName)}" is not a valid element id: dotted names of letters, digits and _, each part starting with a letter or _ (e.g. crm.leads.WebForm).`, [
      { field: 'fullName', pointer: '/fullName', message: 'not a valid element id' },
    ]);
  }
  const ignored = ignoredFolder(fullName);
  if (ignored !== undefined) {
    throw new ScaffoldError(`"${fullName}" would be written inside a "${ignored}" folder, which the loader never scans.`, [{ field: 'fullName', pointer: '/fullName', message: `inside an ignored "${ignored}" folder` }]);
  }
  if (force) return;
  const dir = elementDir(app, fullName);
  if (existsSync(dir)) {
    throw new ScaffoldError(`${dir} already exists; nothing was written (use --force to replace its e.json and config).`, [{ field: 'fullName', pointer: '/fullName', message: 'already exists' }]);
  }
  const existing = app.getElementDefine(fullName);
  if (existing) {
    throw new ScaffoldError(`"${fullName}" is already defined in layer "${existing.layer}" (${existing.file}); a new folder would override it (use --force to do that).`, [
      { field: 'fullName', pointer: '/fullName', message: `already defined in layer ${existing.layer}` },
    ]);
  }
  const twin = app.listElements().find((e) => e.fullName.toLowerCase() === fullName.toLowerCase());
  if (twin) throw new ScaffoldError(`"${fullName}" differs only in letter case from "${twin.fullName}".`, [{ field: 'fullName', pointer: '/fullName', message: `clashes with ${twin.fullName}` }]);
}

/** The value at a JSON pointer (own properties only), or undefined. */
function valueAt(document: unknown, pointer: string): unknown {
  let node = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Checks the placeholders given (only secret fields, only variables their
 * `x-env-pattern` allows, never `JIT_*`), validates typed values against the
 * Type's schema, then (unless secrets are to be written as values) replaces
 * secret values by `${VARIABLE}` placeholders. Throws ScaffoldError naming
 * every bad field; nothing is written before this passes.
 */
export function prepareConfig(
  contract: TypeContract,
  instanceName: string,
  config: unknown,
  secretsAsValues = false,
  /** Values kept from the current file (secrets an edit left out): validated with the rest, written as they are. */
  kept: Record<string, unknown> = {},
  /** The current file of an edited instance: a placeholder sent back exactly where the file has it is not new input. */
  current: Record<string, unknown> = {},
): { config: Record<string, unknown>; env: EnvNeeded[] } {
  if (!isPlainObject(config)) throw new ScaffoldError('config must be a JSON object.', [{ field: 'config', pointer: '', message: 'must be an object' }]);
  const errors = [...placeholderErrors(contract, config, (pointer, text) => valueAt(current, pointer) === text), ...validateConfig(contract, { ...kept, ...config })];
  if (errors.length > 0) throw new ScaffoldError(`Invalid config for ${contract.typeId}: ${errors.map((e) => e.message).join(' ')}`, errors);
  const out: Record<string, unknown> = { ...config };
  const env: EnvNeeded[] = [];
  const noVariable: FieldError[] = [];
  for (const [field, value] of Object.entries(config)) {
    const property = contract.schema?.properties?.[field];
    if (typeof value === 'string' && isSecretField(field, property) && !secretsAsValues && !value.includes('${')) {
      const variable = envVariableFor(instanceName, field, property);
      if (variable === undefined) {
        noVariable.push({
          field,
          pointer: `/${escapePointer(field)}`,
          message: `Field /${escapePointer(field)} is secret and its Type allows no environment variable for it (${ENV_PATTERN_KEYWORD}): write it as a value (secretsAsValues, jit new --secrets-as-values).`,
        });
        continue;
      }
      out[field] = `\${${variable}}`;
      env.push({ field, variable });
    } else if (typeof value === 'string') {
      const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
      if (match) env.push({ field, variable: match[1]! });
    }
  }
  if (noVariable.length > 0) throw new ScaffoldError(`Invalid config for ${contract.typeId}: ${noVariable.map((e) => e.message).join(' ')}`, noVariable);
  return { config: orderKeys(contract, { ...kept, ...out }), env };
}

/** `jit new <app> <id> --type T` and `POST /api/admin/elements`: a new instance folder with e.json and its config file. */
export function createInstance(app: ElementCatalog, request: CreateInstanceRequest): WriteResult {
  assertNewId(app, request.fullName, request.force);
  const title = request.title ?? titleFromName(lastSegment(request.fullName));
  if (typeof title !== 'string' || title.trim() === '') throw new ScaffoldError('title must be a non-empty string.', [{ field: 'title', pointer: '/title', message: 'must not be empty' }]);
  const contract = typeContract(app, request.type);
  const name = lastSegment(request.fullName);
  const prepared = prepareConfig(contract, name, request.config, request.secretsAsValues);
  const dir = elementDir(app, request.fullName);
  let files: string[];
  try {
    files = writeElementFolder(dir, {
      'e.json': jsonText({ title, type: request.type }),
      [configFileName(contract, name)]: jsonText(prepared.config),
    });
  } catch (err) {
    throw writeRefusal(err, app, dir);
  }
  return { fullName: request.fullName, dir, files, env: prepared.env };
}

/** An instance of this app (layer 0) with its Type's contract and where its config file is. */
function editableInstance(app: ElementCatalog, fullName: string): { contract: TypeContract; file: string; name: string } {
  const info = isFullName(fullName) ? app.getElementDefine(fullName) : undefined;
  if (!info || info.kind !== 'instance') throw new ScaffoldError(`"${fullName}" is not an instance in app "${app.name}".`, [{ field: 'fullName', pointer: '/fullName', message: 'not an instance' }]);
  const definition = app.definitionsOf(fullName)[0]!;
  if (definition.layer.index !== 0) {
    throw new ScaffoldError(`"${fullName}" is defined in layer "${definition.layer.name}", not in app "${app.name}"; create an instance of that name here to override it.`, [
      { field: 'fullName', pointer: '/fullName', message: `defined in layer ${definition.layer.name}` },
    ]);
  }
  const contract = typeContract(app, info.type);
  return { contract, name: definition.name, file: join(definition.dir, configFileName(contract, definition.name)) };
}

/** The raw config file of an instance (placeholders unresolved, defaults not applied), or {} when absent. */
function readRawConfig(file: string): Record<string, unknown> {
  const read = readJsonFile(file);
  return read.ok && isPlainObject(read.value) ? read.value : {};
}

/**
 * An instance's config for a form: the file as written, except secrets. A
 * secret that is a bare `${VARIABLE}` is shown; any other secret value is
 * left out and listed in `secretsSet` (an edit that leaves it out keeps it).
 */
export function readInstanceConfig(app: ElementCatalog, fullName: string): { fullName: string; type: string; title: string; config: Record<string, unknown>; secretsSet: string[] } {
  const { contract, file } = editableInstance(app, fullName);
  const raw = readRawConfig(file);
  const config: Record<string, unknown> = {};
  const secretsSet: string[] = [];
  for (const [field, value] of Object.entries(raw)) {
    if (isSecretField(field, contract.schema?.properties?.[field]) && !(isPlaceholder(value) && !String(value).includes(':-'))) secretsSet.push(field);
    else config[field] = value;
  }
  const info = app.getElementDefine(fullName)!;
  return { fullName, type: info.type, title: info.title, config, secretsSet };
}

/**
 * `PUT /api/admin/elements/:fullName/config`: replaces an instance's config
 * with `config`, validated like a new one. Secret fields left out keep their
 * current value (forms never receive secrets, so they cannot send them back).
 */
export function editInstanceConfig(app: ElementCatalog, fullName: string, config: unknown, options: { secretsAsValues?: boolean } = {}): WriteResult {
  const { contract, file, name } = editableInstance(app, fullName);
  if (!isPlainObject(config)) throw new ScaffoldError('config must be a JSON object.', [{ field: 'config', pointer: '', message: 'must be an object' }]);
  const current = readRawConfig(file);
  const merged: Record<string, unknown> = { ...config };
  const kept: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(current)) {
    if (merged[field] === undefined && isSecretField(field, contract.schema?.properties?.[field])) kept[field] = value;
  }
  const prepared = prepareConfig(contract, name, merged, options.secretsAsValues, kept, current);
  writeFileAtomic(file, jsonText(prepared.config));
  return { fullName, dir: dirname(file), files: [file], env: prepared.env };
}

/**
 * `jit new <app> <TypeId> --override`: an override folder for a Type of the
 * app's layers — e.json naming the Type's own type with `index.ts` as module,
 * and an `index.ts` whose `extend(Base)` subclasses the class it overrides.
 */
export async function createOverride(app: AppManifest, fullName: string, options: { title?: string; force?: boolean } = {}): Promise<WriteResult> {
  const info = isFullName(fullName) ? app.getElementDefine(fullName) : undefined;
  if (!info || info.kind !== 'type') {
    const types = app.listElements({ kind: 'type' }).map((t) => t.fullName);
    throw new ScaffoldError(`"${fullName}" is not a Type in the layers of app "${app.name}"; only Types can be overridden${types.length ? ` (Types: ${types.join(', ')})` : ''}.`, [
      { field: 'fullName', pointer: '/fullName', message: 'not a Type' },
    ]);
  }
  const definitions = app.definitionsOf(fullName);
  const winner = definitions[0]!;
  if (winner.layer.index === 0 && !options.force) {
    throw new ScaffoldError(`"${fullName}" is already defined in app "${app.name}" (${winner.file}); nothing was written (use --force to replace it with a fresh skeleton).`, [
      { field: 'fullName', pointer: '/fullName', message: 'already defined in this app' },
    ]);
  }
  const protectedDefinition = definitions.find((d) => d.accessModifier === 'protected' && d.layer.index > 0);
  if (protectedDefinition) throw new ScaffoldError(`"${fullName}" is protected in layer "${protectedDefinition.layer.name}" and cannot be overridden.`, [{ field: 'fullName', pointer: '/fullName', message: 'protected' }]);
  const dir = elementDir(app, fullName);
  const baseType = await findBaseType(app, fullName, definitions.filter((d) => d.layer.index > 0), dir);
  const method = info.functionList[0]?.name;
  const title = options.title ?? `${info.title} (${app.name})`;
  let files: string[];
  try {
    files = writeElementFolder(dir, {
      'e.json': jsonText({ title, type: winner.type, backendBundleEntry: 'index.ts' }),
      'index.ts': overrideModule(app, fullName, baseType, method, definitions.find((d) => d.layer.index > 0)),
    });
  } catch (err) {
    throw writeRefusal(err, app, dir);
  }
  return { fullName, dir, files, env: [] };
}

/**
 * A named export of an overridden module that the Type's class is (or
 * extends), for a typed `extend(Base: typeof X)`. The modules are read with
 * the importer the manifest was built with, so they are the very ones its
 * classes came from.
 */
async function findBaseType(app: AppManifest, fullName: string, definitions: ElementDefinition[], fromDir: string): Promise<{ name: string; importPath: string } | undefined> {
  const cls = app.classOf(fullName);
  if (cls === undefined) return undefined;
  for (const definition of definitions) {
    if (definition.backendBundleEntry === undefined) continue;
    const located = resolveInsideElement(definition, definition.backendBundleEntry, 'backendBundleEntry');
    if ('diagnostic' in located) continue;
    let mod: Record<string, unknown>;
    try {
      mod = await app.importer(located.file);
    } catch {
      continue;
    }
    const entries = Object.entries(mod).sort(([a], [b]) => Number(a === 'default') - Number(b === 'default'));
    for (const [name, value] of entries) {
      if (name === 'default' || typeof value !== 'function' || !(value.prototype instanceof Element)) continue;
      if (value === cls || cls.prototype instanceof value) {
        let importPath = relative(fromDir, located.file).split(sep).join('/').replace(/\.(c|m)?tsx?$/, '.js');
        if (!importPath.startsWith('.')) importPath = `./${importPath}`;
        return { name, importPath };
      }
    }
  }
  return undefined;
}

function overrideModule(app: ElementCatalog, fullName: string, base: { name: string; importPath: string } | undefined, method: string | undefined, overridden: { layer: { name: string }; file: string } | undefined): string {
  const className = `${pascal(app.name)}${lastSegment(fullName)}`;
  const example = method ?? 'someMethod';
  const header = `/**
 * ${app.name}'s override of the Type ${fullName}.
 *
 * The runtime passes extend() the class this folder overrides${overridden ? ` (layer "${overridden.layer.name}")` : ''}, so the
 * subclass below reaches the original through \`super\`. The config schema, the
 * config file name and the functionList are inherited: this folder's e.json
 * declares none. A running app picks up code changes only after a restart.
 */
`;
  if (base) {
    return `${header}import type { ${base.name} } from '${base.importPath}';

export function extend(Base: typeof ${base.name}): typeof ${base.name} {
  class ${className} extends Base {
    // Example: run your own code around one of the original's methods.
    // override async ${example}(...args: Parameters<${base.name}['${example}']>) {
    //   const result = await super.${example}(...args);
    //   return result;
    // }
  }
  return ${className};
}
`;
  }
  return `${header}// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor = new (...args: any[]) => any;

export function extend<B extends Constructor>(Base: B): B {
  class ${className} extends Base {
    // Example: run your own code around one of the original's methods.
    // override async ${example}(...args: any[]) {
    //   const result = await super.${example}(...args);
    //   return result;
    // }
  }
  return ${className};
}
`;
}

const pascal = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('')
    .replace(/^[0-9]+/, '') || 'App';
