import { distance } from 'fastest-levenshtein';
import { FULL_NAME, MAX_ID_LENGTH, MAX_SEGMENT_LENGTH } from './loader/schemas.js';

export { MAX_ID_LENGTH, MAX_SEGMENT_LENGTH };

const fullNamePattern = new RegExp(FULL_NAME);

/** True for a dotted element id such as "auths.loginTypes.FSInnerExample"; rejects slashes, "..", empty parts, over-long ids and segments. */
export const isFullName = (id: unknown): id is string => typeof id === 'string' && idLengthProblem(id) === undefined && fullNamePattern.test(id);

/** Why an id is too long (a part over MAX_SEGMENT_LENGTH, the whole over MAX_ID_LENGTH, or both), or undefined. */
export function idLengthProblem(id: string): string | undefined {
  const problems: string[] = [];
  // A part first: the length of a huge string is known before splitting it.
  const long = id.length > MAX_SEGMENT_LENGTH ? id.split('.', MAX_ID_LENGTH + 1).find((segment) => segment.length > MAX_SEGMENT_LENGTH) : undefined;
  if (long !== undefined) problems.push(`has a ${long.length}-character part "${long.slice(0, 16)}…"; each part of an element id is at most ${MAX_SEGMENT_LENGTH} characters`);
  if (id.length > MAX_ID_LENGTH) problems.push(`is ${id.length} characters long; element ids are at most ${MAX_ID_LENGTH} (the width of the database columns that store them)`);
  return problems.length > 0 ? problems.join(', and ') : undefined;
}

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
