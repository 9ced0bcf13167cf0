/**
 * The one error type every element and the runtime throw, mirroring JitAI's
 * `jit.errcode.Code`: a numeric code callers branch on, a human message, and
 * optional structured details (never secrets). Made by a catalogue's
 * definition (`RuntimeErrors.BUSY.create({ problem }, details)`), which holds
 * its number, status and message (code-catalogue.ts); the constructor stays
 * for JitAI-style code.
 */
export class Code extends Error {
  readonly code: number;
  readonly details?: Record<string, unknown>;

  constructor(code: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'Code';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  /** `instanceof` fails across two copies of this module (an app module loaded from source next to a built runtime), so check the shape too. */
  static is(value: unknown): value is Code {
    return (
      value instanceof Code ||
      (value instanceof Error && value.name === 'Code' && typeof (value as { code?: unknown }).code === 'number')
    );
  }

  toJSON(): { code: number; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  override toString(): string {
    return `Code ${this.code}: ${this.message}`;
  }
}
