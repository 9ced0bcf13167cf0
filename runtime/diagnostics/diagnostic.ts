import { DiagnosticCatalogue, type DiagnosticCode, type Severity } from './catalogue.js';

/** A problem, as data. Frozen once made (diagnostic(), withFields()): builds share them through caches, so nothing may change one. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** The element the problem belongs to, when there is one. */
  readonly fullName?: string;
  /** Absolute path of the file at fault. */
  readonly file?: string;
  /** JSON Pointer (RFC 6901) into that file, '' for the whole document. */
  readonly pointer?: string;
  readonly message: string;
  readonly hint: string;
  /** On the App's view only (a copy): the element keeps serving its last good version. */
  readonly keptLastGood?: boolean;
}

export interface DiagnosticInput {
  fullName?: string;
  file?: string;
  pointer?: string;
  hint?: string;
}

export function diagnostic(code: DiagnosticCode, message: string, where: DiagnosticInput = {}): Diagnostic {
  const entry = DiagnosticCatalogue[code];
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { code, severity: entry.severity, message, hint: where.hint ?? entry.hint };
  if (where.fullName !== undefined) d.fullName = where.fullName;
  if (where.file !== undefined) d.file = where.file;
  if (where.pointer !== undefined) d.pointer = where.pointer;
  return Object.freeze(d);
}

/** `d` with fields replaced (a new frozen value; `d` is left as it is). */
export const withFields = (d: Diagnostic, fields: Partial<Diagnostic>): Diagnostic => Object.freeze({ ...d, ...fields });

export const isError = (d: Diagnostic): boolean => d.severity === 'error';

/** Stable identity of a diagnostic, used to tell new ones from ones already reported. */
export const diagnosticKey = (d: Diagnostic): string => `${d.code}|${d.fullName ?? ''}|${d.file ?? ''}|${d.pointer ?? ''}|${d.message}`;

export function formatDiagnostic(d: Diagnostic, relativeTo?: (file: string) => string): string {
  const where = d.file ? (relativeTo ? relativeTo(d.file) : d.file) + (d.pointer ? `#${d.pointer}` : '') : '';
  const head = `${d.severity} ${d.code}${d.fullName ? ` [${d.fullName}]` : ''}${where ? ` ${where}` : ''}`;
  return `${head}\n  ${d.message}${d.keptLastGood ? ' (still serving the last good version)' : ''}\n  hint: ${d.hint}`;
}

/** The message of anything thrown: `throw null` or `throw Object.create(null)` must not throw again while being reported. */
export function thrownMessage(err: unknown): string {
  try {
    if (err instanceof Error) return err.message;
    const message = (err as { message?: unknown } | null | undefined)?.message;
    return typeof message === 'string' ? message : String(err);
  } catch {
    return 'a value that cannot be printed was thrown';
  }
}
