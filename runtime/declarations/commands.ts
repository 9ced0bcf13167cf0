/**
 * What a Type adds to the `jit` command line. Commands are declared by the
 * platform's Types, and by the Types of the app named on the command line:
 *
 *   static cli: ReadonlyArray<CommandDeclaration> = [
 *     { name: 'sandbox', description: '…', options: [{ flags: '-p, --port <port>', description: 'port', default: '4100' }], run },
 *   ];
 *
 * and what `jit serve` can start next to the app for development — a
 * companion whose environment fills in what the process environment leaves
 * unset (the process environment wins):
 *
 *   static devServers: ReadonlyArray<DevServerDeclaration> = [
 *     { option: '--sandbox [port]', description: '…', start },            // jit serve <app> --sandbox
 *   ];
 *
 * Flags use commander's syntax ('-p, --port <port>', '--sandbox [port]').
 * Built-in commands and options win over declared ones of the same name.
 */
export interface CommandDeclaration {
  /** Lower-case letters, digits and -. */
  name: string;
  description: string;
  /** Positional arguments: '<name>' required, '[name]' optional. */
  arguments?: ReadonlyArray<{ name: string; description: string }>;
  options?: ReadonlyArray<CommandOption>;
  /** Resolves to the exit code (default 0). */
  run(options: Record<string, unknown>, context: CommandContext): Promise<number | void>;
}

export interface CommandOption {
  flags: string;
  description: string;
  default?: string | boolean;
}

export interface CommandContext {
  /** The positional arguments, in declaration order. */
  args: string[];
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM): a command that serves awaits it, then cleans up. */
  stopped(): Promise<void>;
}

export interface DevServerDeclaration {
  /** The `jit serve` option that starts it, e.g. '--sandbox [port]'. */
  option: string;
  description: string;
  /** `value` is the option's argument, or true when given without one. */
  start(value: string | true, context: DevServerContext): Promise<RunningDevServer>;
}

export interface DevServerContext {
  /** Where the app will listen. */
  port: number;
  host: string;
  /** The URL browsers use for the app. */
  publicUrl: string;
}

export interface RunningDevServer {
  /** Environment defaults for the app (e.g. where the emulated provider listens). */
  env?: Record<string, string>;
  /** One line for the terminal. */
  message?: string;
  close(): Promise<void>;
}

/** A class's commands (its own or inherited `static cli`). */
export function commandsOf(cls: unknown): ReadonlyArray<CommandDeclaration> {
  const cli = typeof cls === 'function' ? (cls as { cli?: unknown }).cli : undefined;
  return Array.isArray(cli) ? (cli as CommandDeclaration[]) : [];
}

/** A class's dev servers (its own or inherited `static devServers`). */
export function devServersOf(cls: unknown): ReadonlyArray<DevServerDeclaration> {
  const servers = typeof cls === 'function' ? (cls as { devServers?: unknown }).devServers : undefined;
  return Array.isArray(servers) ? (servers as DevServerDeclaration[]) : [];
}
