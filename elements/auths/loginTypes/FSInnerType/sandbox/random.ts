import { createHash, randomBytes } from 'node:crypto';

/** A seeded PRNG (mulberry32): the same seed always yields the same organization. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stable hex derived from a label, so generated ids look random yet never change between runs. */
export function stableHex(label: string, length = 32): string {
  let hex = '';
  for (let round = 0; hex.length < length; round++) {
    hex += createHash('sha256').update(`${round}:${label}`).digest('hex');
  }
  return hex.slice(0, length);
}

/** Unpredictable url-safe text for tokens and codes (charset [A-Za-z0-9-_], contract §5a). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
