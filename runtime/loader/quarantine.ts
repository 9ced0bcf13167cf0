import { isQuarantined, type ResolvedEntry } from './resolve.js';

/**
 * The last stage: every entry whose type chain passes through a quarantined
 * entry gets DEPENDENCY_BROKEN, so a broken Type takes its instances (and
 * sub-Types) with it and nothing else.
 */
export function propagateQuarantine(entries: ReadonlyMap<string, ResolvedEntry>): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const entry of entries.values()) {
      if (isQuarantined(entry)) continue;
      const broken = entry.typeChain.find((id) => {
        const dep = entries.get(id);
        return dep !== undefined && isQuarantined(dep);
      });
      if (broken !== undefined) {
        entry.diagnostics.report('DEPENDENCY_BROKEN', `"${entry.fullName}" depends on "${broken}", which failed to load.`, { pointer: '/type' });
        changed = true;
      }
    }
  }
}
