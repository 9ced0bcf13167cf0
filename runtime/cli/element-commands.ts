import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { commandsOf, devServersOf, type CommandDeclaration, type DevServerDeclaration } from '../declarations/commands.js';
import type { ElementClass } from '../element.js';
import { Builder } from '../loader/build.js';
import { PLATFORM_LAYER } from '../loader/layers.js';
import { defaultImporter, type ModuleImporter } from '../loader/modules.js';
import { readManifest } from '../manifest.js';
import { OFFICIAL_ELEMENTS_DIR } from '../paths.js';
import type { CliIo } from './io.js';
import { stopped } from './signals.js';

/**
 * The part of the command line elements declare (runtime/declarations/commands.ts):
 * `static cli` commands and `static devServers` options of `jit serve`, from the
 * Types of the platform and, when the command line names an app folder (the
 * first argument holding an app.json), of that app's layers. Only classes are
 * built — no database, no instance.
 */
export interface ElementCli {
  commands: Array<Declared<CommandDeclaration>>;
  devServers: Array<Declared<DevServerDeclaration>>;
}

export interface Declared<T> {
  declaration: T;
  /** The Type (or Meta) whose class declares it, first in id order. */
  owner: string;
}

export interface ElementCliOptions {
  /** The platform layer; default the official `elements/`. */
  platformDir?: string;
  importer?: ModuleImporter;
}

export async function elementCli(argv: readonly string[], options: ElementCliOptions = {}): Promise<ElementCli> {
  const platformDir = options.platformDir ?? OFFICIAL_ELEMENTS_DIR;
  const importer = options.importer ?? defaultImporter;
  const appDir = argv.slice(1).find((a) => !a.startsWith('-') && existsSync(join(a, 'app.json')));
  let classes: Array<[string, ElementClass]>;
  try {
    // Config placeholders do not matter here: an empty environment, so nothing of the process leaks into a build no one serves.
    const built = appDir
      ? (await readManifest(appDir, { platformDir, importer, env: {} })).build
      : await new Builder([{ name: PLATFORM_LAYER, root: platformDir, kind: 'platform', index: 0 }], [], { importer, env: {} }).build();
    classes = [...built.classes].sort(([a], [b]) => a.localeCompare(b));
  } catch {
    return { commands: [], devServers: [] }; // a broken invariant in the loader: the built-in commands still work (`jit validate` tells more)
  }
  // A subclass inherits its parent's declarations: the same object, listed once, under the first class that has it.
  const collect = <T extends object>(of: (cls: Function) => ReadonlyArray<T>): Array<Declared<T>> => {
    const seen = new Set<T>();
    const out: Array<Declared<T>> = [];
    for (const [owner, cls] of classes) {
      for (const declaration of of(cls)) {
        if (seen.has(declaration)) continue;
        seen.add(declaration);
        out.push({ declaration, owner });
      }
    }
    return out;
  };
  return { commands: collect(commandsOf), devServers: collect(devServersOf) };
}

/** Adds the declared commands to `program`; a name already taken (a built-in, or an earlier Type's) is kept and the other one skipped, and said so when run. */
export function registerElementCommands(program: Command, commands: ElementCli['commands'], io: CliIo, exit: (code: number) => void): void {
  for (const { declaration, owner } of commands) {
    if (program.commands.some((c) => c.name() === declaration.name)) continue;
    const skipped = commands.filter((c) => c.declaration.name === declaration.name && c.owner !== owner).map((c) => c.owner);
    const command = program.command(declaration.name).description(declaration.description);
    for (const argument of declaration.arguments ?? []) command.argument(argument.name, argument.description);
    for (const option of declaration.options ?? []) command.option(option.flags, option.description, option.default);
    command.action(async (...received: unknown[]) => {
      if (skipped.length > 0) io.err(`jit: "${declaration.name}" comes from ${owner}; ${skipped.join(', ')} declare(s) one too, which is ignored.`);
      const args = received.slice(0, (declaration.arguments ?? []).length).filter((a): a is string => typeof a === 'string');
      const opts = (received.at(-1) as Command).opts();
      exit((await declaration.run(opts, { args, out: io.out, err: io.err, stopped })) ?? 0);
    });
  }
}

/**
 * Adds each declared dev server's option to `jit serve` (an option it already
 * has wins); returns what to start for the options given.
 */
export function addDevServerOptions(serve: Command, devServers: ElementCli['devServers']): (opts: Record<string, unknown>) => Array<{ declaration: DevServerDeclaration; value: string | true }> {
  const added: Array<{ declaration: DevServerDeclaration; key: string }> = [];
  for (const { declaration } of devServers) {
    const option = new Option(declaration.option, declaration.description);
    if (serve.options.some((o) => o.long === option.long)) continue;
    serve.addOption(option);
    added.push({ declaration, key: option.attributeName() });
  }
  return (opts) =>
    added.flatMap(({ declaration, key }) => {
      const value = opts[key];
      return value === undefined || value === false ? [] : [{ declaration, value: value === true ? true : String(value) }];
    });
}
