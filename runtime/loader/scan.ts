import fg from 'fast-glob';
import type { Layer } from './layers.js';

/** Folders that never hold elements: dependencies, build output, the app's data folder, and (via dot: false) hidden folders. */
export const IGNORED_GLOBS = ['**/node_modules/**', '**/dist/**', 'data/**'];

/**
 * Lists the element folders of one layer (those holding an e.json), relative
 * to the layer root with '/' separators, sorted so every run sees one order.
 * Symlinks are not followed: nothing outside the layer is ever discovered.
 */
export function scanLayer(layer: Layer): string[] {
  const files = fg.sync('**/e.json', {
    cwd: layer.root,
    ignore: IGNORED_GLOBS,
    dot: false,
    followSymbolicLinks: false,
    onlyFiles: true,
    suppressErrors: true,
  });
  return files
    .map((f) => (f === 'e.json' ? '' : f.slice(0, -'/e.json'.length)))
    .filter((dir) => dir !== '') // an e.json at the layer root names no element
    .sort();
}

export const toFullName = (relDir: string): string => relDir.split('/').join('.');
