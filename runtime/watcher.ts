import { statSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import { subscribe, type AsyncSubscription, type Event } from '@parcel/watcher';
import type { Layer } from './loader/layers.js';

export type ChangeKind = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface FileChange {
  kind: ChangeKind;
  path: string;
  layer: Layer;
}

/** Never reloaded from: the app's data folder, dependencies, build output, hidden folders and files. */
const IGNORED_NAMES = ['node_modules', 'dist'];

/**
 * Watches every layer root and feeds one queue: changes arriving within
 * `debounceMs` are batched, and batches are handed to `onBatch` one at a time
 * (a rebuild never overlaps another; later changes wait for the next turn).
 *
 * @parcel/watcher watches folders, not files: one inotify watch per directory,
 * crawled in native code, so a 10,000-element app costs ~10,000 kernel watches
 * and almost no JavaScript memory (chokidar held a watcher object per file:
 * ~31,000 of them, ~270 MB and seconds to become ready). It reports create /
 * update / delete without saying whether a path was a folder; creations are
 * looked at, and a deleted path whose name has no dot is taken for a folder
 * (element folders are identifiers, which never contain one).
 */
export class LayerWatcher {
  private subscriptions: AsyncSubscription[] = [];
  private pending: FileChange[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly layers: Layer[],
    private readonly ignoredDirs: string[],
    private readonly onBatch: (changes: FileChange[]) => Promise<void>,
    private readonly debounceMs = 15,
  ) {}

  async start(): Promise<void> {
    const ignore = [...IGNORED_NAMES.flatMap((name) => [name, `**/${name}`]), '.*', '**/.*', 'data', ...this.ignoredDirs];
    // Each root is crawled on the addon's own threads: subscribing to all at once overlaps the crawls.
    const roots = [...new Set(this.layers.map((l) => l.root))];
    this.subscriptions = await Promise.all(roots.map((root) => subscribe(root, (error, events) => (error ? undefined : this.receive(events)), { ignore })));
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
    this.closed = true;
    await Promise.all(this.subscriptions.splice(0).map((s) => s.unsubscribe()));
    await this.running;
  }

  private receive(events: Event[]): void {
    for (const event of events) {
      if (this.isIgnored(event.path)) continue;
      this.enqueue(kindOf(event), event.path);
    }
  }

  private isIgnored(path: string): boolean {
    if (this.ignoredDirs.some((dir) => path === dir || path.startsWith(dir + sep))) return true;
    const layer = this.layerOf(path);
    if (!layer) return true;
    const parts = relative(layer.root, path).split(sep);
    return parts[0] === 'data' || parts.some((p) => IGNORED_NAMES.includes(p) || (p.startsWith('.') && p !== '.' && p !== '..'));
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
    if (this.closed) return;
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

function kindOf(event: Event): ChangeKind {
  if (event.type === 'update') return 'change';
  if (event.type === 'create') return isDirectory(event.path) ? 'addDir' : 'add';
  return basename(event.path).includes('.') ? 'unlink' : 'unlinkDir';
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // gone again already: its delete follows
  }
}

export const isElementFile = (path: string): boolean => basename(path) === 'e.json';
export const isCodeFile = (path: string): boolean => /\.(c|m)?(t|j)sx?$/.test(path);
