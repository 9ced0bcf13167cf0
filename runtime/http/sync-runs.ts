import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { HttpCodes } from './http-errors.js';

export interface SyncRun {
  id: string;
  instance: string;
  /** The admin action (method) running. */
  action: string;
  status: 'running' | 'done' | 'failed';
  progress: Record<string, unknown>;
  /** The line the admin page shows for this update (the action's `text`, or the failure's message). */
  text: string;
  error?: { code: number; message: string };
  startedAt: number;
  finishedAt?: number;
}

const KEEP = 20;

/** Background admin actions (a department sync, …) started from the admin page, with progress listeners (server-sent events). */
export class SyncRuns {
  private readonly runs = new Map<string, SyncRun>();
  private readonly events = new EventEmitter();

  constructor(private readonly now: () => number) {
    this.events.setMaxListeners(0);
  }

  /** `describe` words each update (running, done); a failure is worded by its message. */
  start(
    of: { instance: string; action: string },
    work: (onProgress: (progress: object) => void) => Promise<unknown>,
    describe: (progress: Record<string, unknown>, status: 'running' | 'done') => string = (_p, status) => status,
  ): SyncRun {
    const run: SyncRun = { id: randomUUID(), ...of, status: 'running', progress: {}, text: 'starting', startedAt: this.now() };
    this.runs.set(run.id, run);
    for (const id of [...this.runs.keys()].slice(0, Math.max(0, this.runs.size - KEEP))) this.runs.delete(id);
    const emit = () => this.events.emit(run.id, { ...run });
    const word = (status: 'running' | 'done') => {
      try {
        run.text = describe(run.progress, status);
      } catch {
        run.text = status; // a wording bug must not lose the run
      }
    };
    work((progress) => {
      run.progress = { ...progress };
      word('running');
      emit();
    })
      .then(() => {
        run.status = 'done';
        word('done');
      })
      .catch((err: { code?: number; message?: string }) => {
        run.status = 'failed';
        run.error = { code: typeof err.code === 'number' ? err.code : HttpCodes.INTERNAL, message: String(err.message ?? err) };
        run.text = run.error.message;
      })
      .finally(() => {
        run.finishedAt = this.now();
        emit();
      });
    return run;
  }

  get(id: string): SyncRun | undefined {
    return this.runs.get(id);
  }

  lastFor(instance: string, action: string): SyncRun | undefined {
    return [...this.runs.values()].reverse().find((r) => r.instance === instance && r.action === action);
  }

  /** Calls listener with each update until the run ends; returns an unsubscribe function. */
  subscribe(id: string, listener: (run: SyncRun) => void): () => void {
    this.events.on(id, listener);
    return () => this.events.off(id, listener);
  }
}
