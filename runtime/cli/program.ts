import { Command, CommanderError, Option } from 'commander';
import type { CliIo } from './io.js';
import { Code } from '../errcode.js';
import { readManifest } from '../manifest.js';
import { createAdmin } from './admin.js';
import { migrate, status } from './db.js';
import { newElement } from './new.js';
import { renderDiagnostics, renderExplanation, renderTree } from './inspect.js';
import { addDevServerOptions, elementCli, registerElementCommands, type ElementCliOptions } from './element-commands.js';
import { parseProxyList, serve } from './serve.js';
import { stopped } from './signals.js';

export type { CliIo } from './io.js';

const consoleIo: CliIo = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };

/** Inspection reads the manifest only: no database, no instances, the data folder left alone. */
const inspect = (dir: string, io: CliIo, options: ElementCliOptions) =>
  readManifest(dir, { env: io.env ?? process.env, ...(options.platformDir !== undefined ? { platformDir: options.platformDir } : {}), ...(options.importer ? { importer: options.importer } : {}) });

/**
 * Runs the `jit` command line; resolves to the process exit code. Besides the
 * built-in commands, elements add theirs (element-commands.ts): looked up for
 * `serve` (its dev-server options), for help and for any other command name.
 */
export async function runCli(argv: string[], io: CliIo = consoleIo, options: ElementCliOptions = {}): Promise<number> {
  let exitCode = 0;
  const program = new Command('jit')
    .description('Element runtime: inspect, validate and serve apps made of element folders')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t.trimEnd()), writeErr: (t) => io.err(t.trimEnd()) });

  program
    .command('ls')
    .description('print the resolved element tree (Meta → Type → Instance) with source layers and overrides')
    .argument('<appDir>', 'app folder (holds app.json)')
    .action(async (appDir: string) => {
      const app = await inspect(appDir, io, options);
      io.out(renderTree(app));
      if (app.diagnostics.length > 0) io.err(`${app.diagnostics.length} problem(s); run jit validate ${appDir}`);
    });

  program
    .command('validate')
    .description('print every diagnostic; exit 1 if there is any')
    .argument('<appDir>', 'app folder (holds app.json)')
    .action(async (appDir: string) => {
      const app = await inspect(appDir, io, options);
      const count = app.diagnostics.length;
      if (count > 0) {
        io.err(renderDiagnostics(app));
        io.err(`${count} problem(s) in app ${app.name}`);
        exitCode = 1;
      } else {
        io.out(`app ${app.name}: ${app.listElements().length} elements, no problems`);
      }
    });

  program
    .command('explain')
    .description('tell which layer defines an element, what it shadows and its type chain')
    .argument('<appDir>', 'app folder (holds app.json)')
    .argument('<id>', 'element id, e.g. crm.leads.WebForm')
    .action(async (appDir: string, id: string) => {
      const app = await inspect(appDir, io, options);
      const explanation = app.explain(id);
      if (!explanation) {
        io.err(app.notFound(id).message);
        exitCode = 1;
        return;
      }
      io.out(renderExplanation(explanation));
    });

  program
    .command('new')
    .description('create an instance of a Type (e.json + its config file, validated with the Type\'s schema), or with --override the skeleton of a Type override')
    .argument('<appDir>', 'app folder (holds app.json)')
    .argument('<fullName>', 'id of the new element, e.g. crm.leads.WebForm (with --override: the Type to override)')
    .option('-t, --type <TypeFullName>', 'the Type of the new instance')
    .option('--title <title>', 'title in e.json (default: from the name)')
    .option('-s, --set <key=value>', 'a config value, parsed per the schema (repeatable); required fields not given are asked', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--ask-all', 'also ask the optional config fields')
    .option('--secrets-as-values', 'write secret values as typed instead of ${ENV} placeholders')
    .option('--override', 'copy the skeleton of an override of the Type <fullName> into the app')
    .option('-f, --force', 'replace an existing element folder\'s files')
    .action(async (appDir: string, fullName: string, opts: { type?: string; title?: string; set: string[]; askAll?: boolean; secretsAsValues?: boolean; override?: boolean; force?: boolean }) => {
      exitCode = await newElement(appDir, fullName, opts, io, options);
    });

  let devServersFor: ReturnType<typeof addDevServerOptions> = () => [];
  const serveCommand = program
    .command('serve')
    .description('serve the app over HTTP: element methods at /api, hooks at /hooks, login page at /login, admin page at /admin')
    .argument('<appDir>', 'app folder (holds app.json)')
    .option('-p, --port <port>', 'port to listen on', '3000')
    .option('-H, --host <host>', 'interface to listen on', '127.0.0.1')
    .option('--no-watch', 'do not reload element folders on change')
    .option('--migrate', 'apply pending database migrations at start (always on for SQLite)')
    .addOption(new Option('--trust-proxy <addresses>', 'comma-separated addresses/CIDRs of the reverse proxies whose X-Forwarded-* headers count, e.g. 127.0.0.1,10.0.0.0/8').env('JIT_TRUST_PROXY'))
    .addOption(new Option('--public-url <url>', 'the URL browsers use, e.g. https://login.example.com; https makes cookies Secure with the __Host- prefix').env('JIT_PUBLIC_URL'))
    .action(async (appDir: string, opts: { port: string; host: string; watch: boolean; migrate?: boolean; trustProxy?: string; publicUrl?: string } & Record<string, unknown>) => {
      const devServers = devServersFor(opts);
      const running = await serve(
        appDir,
        {
          port: Number(opts.port),
          host: opts.host,
          watch: opts.watch,
          migrate: opts.migrate ?? false,
          ...(devServers.length > 0 ? { devServers } : {}),
          ...(opts.trustProxy !== undefined ? { trustProxy: parseProxyList(opts.trustProxy) } : {}),
          ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
        },
        io,
      );
      await stopped();
      await running.close();
    });

  program
    .command('admin')
    .description('manage local administrators')
    .command('create')
    .description('create a local administrator and print a one-time sign-in link')
    .argument('<appDir>', 'app folder (holds app.json)')
    .argument('<name>', 'display name')
    .option('--email <email>', 'email address')
    .option('--public-url <url>', 'where the app is served', 'http://localhost:3000')
    .option('--data-dir <dir>', 'the app\'s data folder, if not the default <appDir>/data')
    .action(async (appDir: string, name: string, opts: { email?: string; publicUrl: string; dataDir?: string }) => {
      await createAdmin(appDir, name, { ...(opts.email ? { email: opts.email } : {}), ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), publicUrl: opts.publicUrl }, io);
    });

  const db = program.command('db').description('the app\'s database schema');
  db.command('migrate')
    .description('apply pending migrations (JIT_DATABASE_URL selects the database; default SQLite in <appDir>/data)')
    .argument('<appDir>', 'app folder (holds app.json)')
    .action(async (appDir: string) => migrate(appDir, io));
  db.command('status')
    .description('list pending migrations and model changes no migration covers; exit 1 if any')
    .argument('<appDir>', 'app folder (holds app.json)')
    .action(async (appDir: string) => {
      exitCode = await status(appDir, io);
    });

  // Built-ins other than serve take nothing from elements: they skip the lookup (it imports every Type module).
  const builtIn = program.commands.find((c) => c.name() === argv[0]);
  if (!builtIn || builtIn === serveCommand) {
    const declared = await elementCli(argv, options);
    devServersFor = addDevServerOptions(serveCommand, declared.devServers);
    registerElementCommands(program, declared.commands, io, (code) => {
      exitCode = code;
    });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.err(Code.is(err) ? `error ${err.code}: ${err.message}` : `error: ${(err as Error).message}`);
    return 2;
  }
  return exitCode;
}
