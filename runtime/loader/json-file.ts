import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';

export const MAX_ELEMENT_FILE_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;
// ignoreBOM keeps a BOM in the text so it can be reported rather than silently dropped.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export type JsonRead =
  | { ok: true; value: unknown; text: string; warnings: Diagnostic[] }
  | { ok: false; missing: boolean; diagnostics: Diagnostic[] };

/**
 * Reads one element JSON file defensively: size cap, strict UTF-8, BOM,
 * syntax errors with line/column, nesting depth. Error messages never quote
 * the file's text, because config files hold secrets.
 */
export function readJsonFile(file: string, fullName?: string): JsonRead {
  const where = { file, pointer: '', ...(fullName !== undefined ? { fullName } : {}) };
  let bytes: Buffer;
  try {
    const read = readBounded(file);
    if (read === 'too-large') return fail(false, diagnostic('FILE_TOO_LARGE', `File is larger than ${MAX_ELEMENT_FILE_BYTES} bytes.`, where));
    bytes = read;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(true, diagnostic('FILE_UNREADABLE', 'File does not exist.', where));
    return fail(false, diagnostic('FILE_UNREADABLE', `Cannot read file (${code ?? 'unknown error'}).`, where));
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail(false, diagnostic('JSON_ENCODING', 'File is not valid UTF-8.', where));
  }
  const warnings: Diagnostic[] = [];
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    warnings.push(diagnostic('JSON_BOM', 'File starts with a UTF-8 byte-order mark.', where));
  }
  if (text.trim() === '') return fail(false, diagnostic('JSON_SYNTAX', 'File is empty; it must hold a JSON object.', where));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (err instanceof RangeError) return fail(false, diagnostic('JSON_TOO_DEEP', `JSON nests deeper than ${MAX_DEPTH} levels.`, where));
    return fail(false, diagnostic('JSON_SYNTAX', describeSyntaxError(text, (err as Error).message), where));
  }
  if (depthExceeds(value, MAX_DEPTH)) return fail(false, diagnostic('JSON_TOO_DEEP', `JSON nests deeper than ${MAX_DEPTH} levels.`, where));
  return { ok: true, value, text, warnings };
}

/** One open, one fstat, one read: the size check costs no extra system call (load time is mostly file I/O). */
function readBounded(file: string): Buffer | 'too-large' {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_ELEMENT_FILE_BYTES) return 'too-large';
    const buffer = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const n = readSync(fd, buffer, offset, size - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return offset === size ? buffer : buffer.subarray(0, offset);
  } finally {
    closeSync(fd);
  }
}

function fail(missing: boolean, d: Diagnostic): JsonRead {
  return { ok: false, missing, diagnostics: [d] };
}

/** V8 quotes a slice of the input in its message; keep only the reason and turn the offset into line:column. */
function describeSyntaxError(text: string, v8Message: string): string {
  const reason = v8Message.replace(/,? ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const position = /position (\d+)/.exec(v8Message);
  const offset = position ? Number(position[1]) : text.length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `Invalid JSON at line ${line}, column ${column}: ${reason}.`;
}

function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
