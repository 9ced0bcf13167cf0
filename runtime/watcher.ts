import { basename, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Layer } from './loader/layers.js';

export type ChangeKind = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface FileChange {
  kind: ChangeKind;
  path: string;
  layer: Layer;
}

/**
 * Watches every layer root and feeds one queue: changes arriving within
 * `debounceMs` are batched, and batches are handed to `onBatch` one at a time
 * (a rebuild never overlaps another; later changes wait for the next turn).
 */
export class LayerWatcher {
  private watcher: FSWatcher | undefined;
  private pending: FileChange[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

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
    this.pending = [];
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

  private enqueue(kind: ChangeKind, path: string): void {
    const layer = this.layerOf(path);
    if (!layer) return;
    this.pending.push({ kind, path, layer });
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
  }
}

export const isElementFile = (path: string): boolean => basename(path) === 'e.json';
export const isCodeFile = (path: string): boolean => /\.(c|m)?(t|j)sx?$/.test(path);
