import { distance } from 'fastest-levenshtein';
import { FULL_NAME } from './loader/schemas.js';

const fullNamePattern = new RegExp(FULL_NAME);

/** True for a dotted element id such as "auths.loginTypes.FSInnerExample"; rejects slashes, "..", empty parts. */
export const isFullName = (id: unknown): id is string => typeof id === 'string' && id.length <= 512 && fullNamePattern.test(id);

/** The known ids nearest to an unknown one, for "did you mean" hints. */
export function suggestIds(id: string, known: Iterable<string>, limit = 3): string[] {
  const lower = id.toLowerCase();
  const lastSegment = lower.slice(lower.lastIndexOf('.') + 1);
  const scored: Array<[number, string]> = [];
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    const score = Math.min(distance(lower, c), distance(lastSegment, c.slice(c.lastIndexOf('.') + 1)) + 1);
    if (score <= Math.max(2, Math.floor(id.length / 4))) scored.push([score, candidate]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .slice(0, limit)
    .map(([, candidate]) => candidate);
}
