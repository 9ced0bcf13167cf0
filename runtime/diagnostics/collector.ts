import type { DiagnosticCode } from './catalogue.js';
import { diagnostic, isError, withFields, type Diagnostic, type DiagnosticInput } from './diagnostic.js';

/** What a child collector adds to every diagnostic reported through it. */
export interface DiagnosticContext {
  fullName?: string;
  file?: string;
}

/**
 * Where the stages of a build put their problems. Diagnostics are frozen
 * values: a stage reports a new one, or adds one made earlier (a file read,
 * a cached binding), and never changes one it was handed.
 *
 * `for(context)` makes a child that stamps `fullName`/`file` on what is
 * reported through it, so a stage writes only what it knows (code, message,
 * pointer). What a child collects is passed up to its parent too; a child's
 * own list holds only its part (each element's problems are the list of its
 * own collector, which is what quarantine reads).
 */
export class DiagnosticCollector {
  /** Made on the first report: most collectors (one per element per build) never get one. */
  private items: Diagnostic[] | undefined;

  constructor(
    private readonly context: DiagnosticContext = {},
    private readonly parent?: DiagnosticCollector,
  ) {}

  for(context: DiagnosticContext): DiagnosticCollector {
    return new DiagnosticCollector({ ...this.context, ...context }, this);
  }

  report(code: DiagnosticCode, message: string, where: DiagnosticInput = {}): Diagnostic {
    const made = diagnostic(code, message, { ...this.context, ...where });
    this.record(made);
    return made;
  }

  /** Adds diagnostics made elsewhere; where one lacks this collector's context, a copy with it is added instead. */
  add(found: readonly Diagnostic[]): void {
    for (let i = 0; i < found.length; i++) {
      const d = found[i]!;
      const missing = this.missingContext(d);
      this.record(missing ? withFields(d, missing) : d);
    }
  }

  get list(): readonly Diagnostic[] {
    return this.items ?? NONE;
  }

  hasErrors(): boolean {
    const items = this.items;
    if (items === undefined) return false;
    for (let i = 0; i < items.length; i++) if (isError(items[i]!)) return true;
    return false;
  }

  private record(d: Diagnostic): void {
    (this.items ??= []).push(d);
    this.parent?.record(d);
  }

  private missingContext(d: Diagnostic): DiagnosticContext | undefined {
    let missing: DiagnosticContext | undefined;
    if (this.context.fullName !== undefined && d.fullName === undefined) missing = { fullName: this.context.fullName };
    if (this.context.file !== undefined && d.file === undefined) missing = { ...missing, file: this.context.file };
    return missing;
  }
}

const NONE: readonly Diagnostic[] = Object.freeze([]);
