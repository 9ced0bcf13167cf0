import { basename, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Layer } from './loader/layers.js';

export type ChangeKind = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface FileChange {
  kind: ChangeKind;
  path: string;
  layer: Layer;
  /** A second look at a path already reported, in case the watcher swallowed a later write. */
  verify?: boolean;
}

/**
 * chokidar drops a second 'change' of the same file within 50 ms (its
 * throttle has no trailing event), so the last write of a quick save-save
 * could go unseen. Every reported file is looked at once more after this
 * delay; the file cache makes that free when nothing changed.
 */
const VERIFY_AFTER_MS = 75;

/**
 * Watches every layer root and feeds one queue: changes arriving within
 * `debounceMs` are batched, and batches are handed to `onBatch` one at a time
 * (a rebuild never overlaps another; later changes wait for the next turn).
 */
export class LayerWatcher {
  private watcher: FSWatcher | undefined;
  private pending: FileChange[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly verifyTimers = new Set<NodeJS.Timeout>();
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly layers: Layer[],
    private readonly ignoredDirs: string[],
    private readonly onBatch: (changes: FileChange[]) => Promise<void>,
    private readonly debounceMs = 15,
  ) {}

  async start(): Promise<void> {
    const roots = this.layers.map((l) => l.root);
    this.watcher = watch(roots, {
      ignoreInitial: true,
      ignored: (path) => this.isIgnored(path),
    });
    for (const kind of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) {
      this.watcher.on(kind, (path: string) => this.enqueue(kind, path));
    }
    await new Promise<void>((resolve, reject) => {
      this.watcher!.once('ready', resolve);
      this.watcher!.once('error', reject);
    });
  }

  /** Resolves once every change seen so far has been processed. */
  async settled(): Promise<void> {
    if (this.timer) this.flush();
    await this.running;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const t of this.verifyTimers) clearTimeout(t);
    this.verifyTimers.clear();
    this.pending = [];
    this.closed = true;
    await this.watcher?.close();
    await this.running;
  }

  private isIgnored(path: string): boolean {
    if (this.ignoredDirs.some((dir) => path === dir || path.startsWith(dir + sep))) return true;
    const layer = this.layerOf(path);
    if (!layer) return false;
    const parts = relative(layer.root, path).split(sep);
    if (parts[0] === 'data') return true;
    return parts.some((p) => p === 'node_modules' || p === 'dist' || (p.startsWith('.') && p !== '.' && p !== '..'));
  }

  private layerOf(path: string): Layer | undefined {
    // Nearest root wins when app folders nest (e.g. an app inside another's tree).
    let found: Layer | undefined;
    for (const layer of this.layers) {
      if ((path === layer.root || path.startsWith(layer.root + sep)) && (!found || layer.root.length > found.root.length)) found = layer;
    }
    return found;
  }

  private enqueue(kind: ChangeKind, path: string, verify = false): void {
    if (this.closed) return;
    const layer = this.layerOf(path);
    if (!layer) return;
    this.pending.push({ kind, path, layer, verify });
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    // onBatch reports its own failures; the queue must survive them.
    this.running = this.running.then(() => this.onBatch(batch)).catch(() => undefined);
    const recheck = [...new Set(batch.filter((c) => !c.verify && (c.kind === 'add' || c.kind === 'change')).map((c) => c.path))];
    if (recheck.length > 0) {
      const timer = setTimeout(() => {
        this.verifyTimers.delete(timer);
        for (const path of recheck) this.enqueue('change', path, true);
      }, VERIFY_AFTER_MS);
      this.verifyTimers.add(timer);
    }
  }
}

export const isElementFile = (path: string): boolean => basename(path) === 'e.json';
export const isCodeFile = (path: string): boolean => /\.(c|m)?(t|j)sx?$/.test(path);
