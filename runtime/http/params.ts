import { Ajv, type ValidateFunction } from 'ajv';
import { RuntimeErrors } from '../errcode.js';
import type { ArgSpec, FunctionSpec } from '../loader/definition.js';
import { errorMessage } from '../loader/schemas.js';

/** functionList data types → JSON Schema. */
const TYPES: Record<string, object> = {
  Stext: { type: 'string', maxLength: 4096 },
  Ltext: { type: 'string', maxLength: 65536 },
  Numeric: { type: 'number' },
  Integer: { type: 'integer' },
  Checkbox: { type: 'boolean' },
  JSON: { type: 'object' },
  List: { type: 'array' },
  Datetime: { type: 'string', format: 'date-time' },
};

/** Validators for method parameters, compiled once per functionList entry. */
export class ParamValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly cache = new WeakMap<FunctionSpec, ValidateFunction>();

  validate(spec: FunctionSpec, body: unknown): Record<string, unknown> {
    const params = body === undefined || body === null || body === '' ? {} : body;
    let validate = this.cache.get(spec);
    if (!validate) {
      validate = this.ajv.compile(schemaFor(spec.args));
      this.cache.set(spec, validate);
    }
    if (!validate(params)) {
      const problems = (validate.errors ?? []).map(errorMessage).join(' ');
      throw RuntimeErrors.INVALID_PARAMS.create({ problem: `Invalid parameters for ${spec.name}: ${problems}` });
    }
    return params as Record<string, unknown>;
  }
}

function schemaFor(args: ArgSpec[]): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: args.filter((a) => a.required).map((a) => a.name),
    properties: Object.fromEntries(args.map((a) => [a.name, TYPES[a.dataType] ?? {}])),
  };
}
