import { sep } from 'node:path';
import { readJsonFile, type JsonRead } from './json-file.js';

/**
 * Parsed JSON files, kept until the watcher says a path changed. A reload
 * re-reads only what changed, and an unchanged file yields the very same
 * object, which is how later stages tell "unchanged" cheaply.
 */
export class FileCache {
  private readonly reads = new Map<string, JsonRead>();
  /** Which element a file belongs to, so diagnostics of a re-read still name it. */
  private readonly owners = new Map<string, string>();

  read(file: string, fullName?: string): JsonRead {
    let read = this.reads.get(file);
    if (!read) {
      if (fullName !== undefined) this.owners.set(file, fullName);
      read = readJsonFile(file, fullName);
      this.reads.set(file, read);
    }
    return read;
  }

  /**
   * Re-reads a file the watcher reported. Returns false, keeping the cached
   * object, when the content is what we already had: watchers report writes
   * twice, and our own verification pass re-reads on purpose.
   */
  refresh(file: string): boolean {
    const cached = this.reads.get(file);
    if (!cached) return true;
    const fresh = readJsonFile(file, this.owners.get(file));
    if (sameContent(cached, fresh)) return false;
    this.reads.set(file, fresh);
    return true;
  }

  /** Forget a file, or every file below a folder. */
  invalidate(path: string): void {
    this.reads.delete(path);
    const prefix = path + sep;
    for (const file of this.reads.keys()) if (file.startsWith(prefix)) this.reads.delete(file);
  }
}

function sameContent(a: JsonRead, b: JsonRead): boolean {
  if (a.ok && b.ok) return a.text === b.text && a.warnings.length === b.warnings.length;
  if (!a.ok && !b.ok) return a.missing === b.missing && a.diagnostics.map((d) => d.message).join() === b.diagnostics.map((d) => d.message).join();
  return false;
}
