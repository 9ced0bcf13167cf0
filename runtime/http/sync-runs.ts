import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

export interface SyncRun {
  id: string;
  instance: string;
  status: 'running' | 'done' | 'failed';
  progress: Record<string, unknown>;
  error?: { code: number; message: string };
  startedAt: number;
  finishedAt?: number;
}

const KEEP = 20;

/** Background syncs started from the admin page, with progress listeners (server-sent events). */
export class SyncRuns {
  private readonly runs = new Map<string, SyncRun>();
  private readonly events = new EventEmitter();

  constructor(private readonly now: () => number) {
    this.events.setMaxListeners(0);
  }

  start(instance: string, work: (onProgress: (progress: object) => void) => Promise<void>): SyncRun {
    const run: SyncRun = { id: randomUUID(), instance, status: 'running', progress: {}, startedAt: this.now() };
    this.runs.set(run.id, run);
    for (const id of [...this.runs.keys()].slice(0, Math.max(0, this.runs.size - KEEP))) this.runs.delete(id);
    const emit = () => this.events.emit(run.id, { ...run });
    work((progress) => {
      run.progress = { ...progress };
      emit();
    })
      .then(() => {
        run.status = 'done';
      })
      .catch((err: { code?: number; message?: string }) => {
        run.status = 'failed';
        run.error = { code: typeof err.code === 'number' ? err.code : 10500, message: String(err.message ?? err) };
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

  lastFor(instance: string): SyncRun | undefined {
    return [...this.runs.values()].reverse().find((r) => r.instance === instance);
  }

  /** Calls listener with each update until the run ends; returns an unsubscribe function. */
  subscribe(id: string, listener: (run: SyncRun) => void): () => void {
    this.events.on(id, listener);
    return () => this.events.off(id, listener);
  }
}
