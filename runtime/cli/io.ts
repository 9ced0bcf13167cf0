/** Where a command writes and reads: the terminal by default, a buffer in tests. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Where prompts read answers (default stdin): a terminal is asked interactively, piped input line by line. */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where a terminal prompt echoes (default stdout). */
  output?: NodeJS.WritableStream;
  /** The environment commands read (`${ENV}` placeholders, JIT_DATABASE_URL…); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}
