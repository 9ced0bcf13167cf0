import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One printed line: label, value with unit, and optionally a target with PASS/MISS. */
export interface Target {
  text: string;
  ok: boolean;
}

const LABEL_WIDTH = 40;
const VALUE_WIDTH = 12;
const UNIT_WIDTH = 7;

export function line(label: string, value: number, unit: string, target?: Target): void {
  const digits = value >= 100 || Number.isInteger(value) ? 0 : value >= 10 ? 1 : 2;
  const shown = `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }).padStart(VALUE_WIDTH)} ${unit.padEnd(UNIT_WIDTH)}`;
  const tail = target ? ` target ${target.text.padEnd(15)} ${target.ok ? 'PASS' : 'MISS'}` : '';
  console.log(`${label.padEnd(LABEL_WIDTH)}${shown}${tail}`.trimEnd());
}

export const below = (value: number, limit: number, text: string): Target => ({ text: `< ${text}`, ok: value < limit });
export const above = (value: number, limit: number, text: string): Target => ({ text: `> ${text}`, ok: value > limit });

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export const rssMb = (): number => process.memoryUsage().rss / (1024 * 1024);

/** Heap in use (MB): process.memoryUsage().heapUsed. */
export const heapMb = (): number => process.memoryUsage().heapUsed / (1024 * 1024);

/** RSS (MB) of another process, from /proc (Linux); NaN where that cannot be read. */
export function processRssMb(pid: number | undefined): number {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * A full, forced garbage collection, without --expose-gc on the command line (the flag is set at
 * run time, and `gc` taken from a fresh context); undefined if this Node refuses it. Memory read
 * right after it is what is retained, not what the next collection would have freed.
 */
export function gcFunction(): (() => void) | undefined {
  if (typeof globalThis.gc === 'function') return globalThis.gc as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
