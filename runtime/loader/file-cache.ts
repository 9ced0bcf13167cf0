import { sep } from 'node:path';
import { readJsonFile, type JsonRead } from './json-file.js';

/**
 * Parsed JSON files, kept until the watcher says a path changed. A reload
 * re-reads only what changed, and an unchanged file yields the very same
 * object, which is how later stages tell "unchanged" cheaply.
 */
export class FileCache {
  private readonly reads = new Map<string, JsonRead>();

  read(file: string, fullName?: string): JsonRead {
    let read = this.reads.get(file);
    if (!read) {
      read = readJsonFile(file, fullName);
      this.reads.set(file, read);
    }
    return read;
  }

  /** Forget a file, or every file below a folder. */
  invalidate(path: string): void {
    this.reads.delete(path);
    const prefix = path + sep;
    for (const file of this.reads.keys()) if (file.startsWith(prefix)) this.reads.delete(file);
  }
}
