/**
 * The one error type every element and the runtime throw, mirroring JitAI's
 * `jit.errcode.Code`: a numeric code callers branch on, a human message, and
 * optional structured details (never secrets).
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

/**
 * Codes raised by the runtime itself. Element codes (the Feishu login's 40013,
 * 40029, …) live with their element; the runtime stays in 10xxx so the two
 * never collide.
 */
export const RuntimeCodes = {
  ELEMENT_NOT_FOUND: 10001,
  INVALID_ELEMENT_ID: 10002,
  ELEMENT_QUARANTINED: 10003,
  APP_INVALID: 10004,
  INSTANCE_CREATE_FAILED: 10005,
  APP_CLOSED: 10006,
  DATABASE_UNAVAILABLE: 10007,
  INVALID_PARAMS: 10008,
  SCHEMA_OUTDATED: 10009,
  BUSY: 10010,
} as const;
