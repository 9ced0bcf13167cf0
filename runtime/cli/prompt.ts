import { createInterface, type Interface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** Asks one question at a time; resolves undefined when the input has ended. */
export interface Prompter {
  readonly interactive: boolean;
  ask(question: string, options?: { secret?: boolean }): Promise<string | undefined>;
  close(): void;
}

/**
 * Prompts on a terminal (answers to secret questions are not echoed), or reads
 * answers line by line from piped input — readline's async iterator buffers
 * lines that arrive before the question is asked, which `question()` would drop.
 */
export function createPrompter(input: NodeJS.ReadableStream & { isTTY?: boolean }, output: NodeJS.WritableStream, say: (text: string) => void): Prompter {
  if (input.isTTY) return terminalPrompter(input, output);
  const rl = createInterface({ input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  let ended = false;
  return {
    interactive: false,
    async ask(question) {
      say(question);
      if (ended) return undefined;
      const next = await lines.next();
      if (next.done) {
        ended = true;
        return undefined;
      }
      return next.value;
    },
    close: () => rl.close(),
  };
}

function terminalPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  let muted = false;
  // Echo goes through this stream; while a secret is typed it swallows everything.
  const echo = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const rl: Interface = createInterface({ input, output: echo, terminal: true });
  let ended = false;
  rl.once('close', () => {
    ended = true;
  });
  return {
    interactive: true,
    async ask(question, options = {}) {
      if (ended) return undefined;
      const answer = rl.question(question);
      muted = options.secret === true; // the question itself was written synchronously above
      const closed = new Promise<undefined>((resolve) => rl.once('close', () => resolve(undefined)));
      try {
        return await Promise.race([answer, closed]);
      } finally {
        if (muted) output.write('\n');
        muted = false;
      }
    },
    close: () => rl.close(),
  };
}
