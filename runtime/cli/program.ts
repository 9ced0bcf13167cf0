import { Command, CommanderError } from 'commander';
import { loadApp } from '../app.js';
import { Code } from '../errcode.js';
import { renderDiagnostics, renderExplanation, renderTree } from './inspect.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const consoleIo: CliIo = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };

/** Inspection never needs the app's real database: keep it in memory and leave the data folder alone. */
const inspect = (dir: string) => loadApp(dir, { databaseUrl: 'sqlite::memory:' });

/** Runs the `jit` command line; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIo = consoleIo): Promise<number> {
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
      const app = await inspect(appDir);
      try {
        io.out(renderTree(app));
        if (app.diagnostics.length > 0) io.err(`${app.diagnostics.length} problem(s); run jit validate ${appDir}`);
      } finally {
        await app.close();
      }
    });

  program
    .command('validate')
    .description('print every diagnostic; exit 1 if there is any')
    .argument('<appDir>', 'app folder (holds app.json)')
    .action(async (appDir: string) => {
      const app = await inspect(appDir);
      try {
        const count = app.diagnostics.length;
        if (count > 0) {
          io.err(renderDiagnostics(app));
          io.err(`${count} problem(s) in app ${app.name}`);
          exitCode = 1;
        } else {
          io.out(`app ${app.name}: ${app.listElements().length} elements, no problems`);
        }
      } finally {
        await app.close();
      }
    });

  program
    .command('explain')
    .description('tell which layer defines an element, what it shadows and its type chain')
    .argument('<appDir>', 'app folder (holds app.json)')
    .argument('<id>', 'element id, e.g. auths.loginTypes.FSInnerExample')
    .action(async (appDir: string, id: string) => {
      const app = await inspect(appDir);
      try {
        const explanation = app.explain(id);
        if (!explanation) {
          try {
            app.getElement(id);
          } catch (err) {
            io.err(Code.is(err) ? err.message : String(err));
          }
          exitCode = 1;
          return;
        }
        io.out(renderExplanation(explanation));
      } finally {
        await app.close();
      }
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.err(Code.is(err) ? `error ${err.code}: ${err.message}` : `error: ${(err as Error).message}`);
    return 2;
  }
  return exitCode;
}
