import { relative } from 'node:path';
import { readManifest, type ManifestOptions } from '../manifest.js';
import { envVariableFor, fieldsOf, parseValue, placeholderErrors, ScaffoldError, typeContract, validateConfig, type PropertySchema, type TypeContract } from '../scaffold/schema.js';
import { createInstance, createOverride, type WriteResult } from '../scaffold/write.js';
import type { CliIo } from './io.js';
import { createPrompter, type Prompter } from './prompt.js';

export interface NewOptions {
  type?: string;
  title?: string;
  /** Repeatable `key=value`, parsed per the schema's type of `key`. */
  set: string[];
  force?: boolean;
  override?: boolean;
  secretsAsValues?: boolean;
  /** Also ask the optional fields (Enter skips them; their defaults apply at load). */
  askAll?: boolean;
}

/** How many times a terminal user is asked again after an invalid answer. */
const RETRIES = 3;

/**
 * `jit new`: an instance folder of a Type (e.json + its config file, the
 * config validated with the Type's schema before anything is written), or
 * with `--override` the skeleton of an override of a Type. Resolves to the
 * exit code. It reads the manifest only (no database): the Types, their
 * inherited config contracts and, for an override, the class it overrides.
 */
export async function newElement(appDir: string, fullName: string, options: NewOptions, io: CliIo, manifestOptions: Omit<ManifestOptions, 'env'> = {}): Promise<number> {
  const app = await readManifest(appDir, { ...manifestOptions, env: io.env ?? process.env });
  try {
    let result: WriteResult;
    if (options.override) {
      if (options.type) throw new ScaffoldError('--override copies the Type named by <fullName>; --type does not apply.');
      result = await createOverride(app, fullName, { ...(options.title !== undefined ? { title: options.title } : {}), ...(options.force ? { force: true } : {}) });
      io.out(`Created an override of ${fullName} in app ${app.name}:`);
      for (const file of result.files) io.out(`  ${shown(file)}`);
      io.out(`Its extend(Base) subclasses the class it overrides; see it with: jit explain ${appDir} ${fullName}`);
      return 0;
    }
    if (!options.type) throw new ScaffoldError('Name the Type of the new instance with --type <TypeFullName> (or use --override to override a Type).', [{ field: 'type', pointer: '/type', message: 'required' }]);
    const contract = typeContract(app, options.type);
    const config = parseSets(contract, options.set);
    const instanceName = fullName.slice(fullName.lastIndexOf('.') + 1);
    const missing = fieldsOf(contract).filter((f) => config[f.name] === undefined && (f.required || options.askAll));
    if (missing.length > 0) {
      const prompter = createPrompter(io.input ?? process.stdin, io.output ?? process.stdout, io.out);
      try {
        if (prompter.interactive) io.out(`${contract.title} (${contract.typeId}) — ${missing.some((f) => f.required) ? 'required settings' : 'settings'}; Enter skips an optional one.`);
        for (const field of missing) {
          const value = await askField(prompter, io, contract, config, field, instanceName, options.secretsAsValues === true);
          if (value !== undefined) config[field.name] = value;
        }
      } finally {
        prompter.close();
      }
    }
    result = createInstance(app, {
      fullName,
      type: options.type,
      config,
      ...(options.title !== undefined ? { title: options.title } : {}),
      ...(options.secretsAsValues ? { secretsAsValues: true } : {}),
      ...(options.force ? { force: true } : {}),
    });
    io.out(`Created ${fullName} (${options.type}) in app ${app.name}:`);
    for (const file of result.files) io.out(`  ${shown(file)}`);
    for (const need of result.env) io.out(`${need.field} is read from the environment: set ${need.variable} before starting the app (e.g. export ${need.variable}=…).`);
    return 0;
  } catch (err) {
    if (!(err instanceof ScaffoldError)) throw err;
    io.err(`error: ${err.message}`);
    for (const e of err.errors) io.err(`  ${e.field}: ${e.message}`);
    io.err('Nothing was written.');
    return 1;
  }
}

/** `--set key=value` pairs, each value parsed by its property's type. */
function parseSets(contract: TypeContract, sets: string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const pair of sets) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ScaffoldError(`--set takes key=value, got "${pair}".`, [{ field: pair, pointer: '', message: 'expected key=value' }]);
    const key = pair.slice(0, eq);
    config[key] = parseValue(contract.schema?.properties?.[key], pair.slice(eq + 1));
  }
  return config;
}

/** One field's prompt: title, description, default and allowed values, then the question. */
async function askField(
  prompter: Prompter,
  io: CliIo,
  contract: TypeContract,
  config: Record<string, unknown>,
  field: { name: string; property: PropertySchema; required: boolean; secret: boolean },
  instanceName: string,
  secretsAsValues: boolean,
): Promise<unknown> {
  const { name, property, required, secret } = field;
  const variable = secret ? envVariableFor(instanceName, name, property) : undefined;
  const lines = [`${property.title ?? name} (${name}${required ? ', required' : ''}${secret ? ', secret' : ''})`];
  if (property.description) lines.push(`  ${property.description}`);
  if (property.enum) lines.push(`  one of: ${property.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (property.default !== undefined) lines.push(`  default: ${JSON.stringify(property.default)}`);
  if (variable) lines.push(secretsAsValues ? `  Enter writes \${${variable}}; a value you type is written as it is.` : `  Enter writes \${${variable}}; a value you type is not stored either: the file gets \${${variable}} and you set the variable.`);
  else if (secret) lines.push(secretsAsValues ? '  Its Type allows no environment variable here: a value you type is written as it is.' : '  Its Type allows no environment variable here: it can only be written as a value, with --secrets-as-values.');
  const question = `${name}${variable ? ` [\${${variable}}]` : property.default !== undefined ? ` [${JSON.stringify(property.default)}]` : ''}: `;
  for (let attempt = 0; ; attempt++) {
    io.out(lines.join('\n'));
    const answer = await prompter.ask(question, { secret });
    if (answer === undefined) return undefined; // input ended: validation names what is still missing
    if (answer.trim() === '') {
      if (variable) return `\${${variable}}`;
      if (!required || !prompter.interactive || attempt >= RETRIES) return undefined;
      io.err(`  ${name} is required.`);
      continue;
    }
    const value = parseValue(property, secret ? answer : answer.trim());
    const problems = [...placeholderErrors(contract, { [name]: value }), ...validateConfig(contract, { ...config, [name]: value }).filter((e) => e.field === name)];
    if (problems.length === 0 || !prompter.interactive || attempt >= RETRIES) return value;
    for (const p of problems) io.err(`  ${p.message}`);
  }
}

/** A path relative to the working folder when it is below it, else absolute. */
const shown = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
};
