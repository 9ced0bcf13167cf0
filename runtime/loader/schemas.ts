import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { looseI18nSchema } from './i18n.js';

/** Validators for the runtime's own file formats (app.json, e.json). Type config schemas get their own Ajv per app. */
const ajv = new Ajv({ allErrors: true, strict: false });

export const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]*$';
export const FULL_NAME = '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$';
/** Longest segment (folder name) of an element id: far below file systems' 255-byte names, leaving room for temp-folder suffixes. */
export const MAX_SEGMENT_LENGTH = 64;
/**
 * Longest element id. The database columns that store one are 200 wide (`idColumn(200)`: sessions', bindings'
 * and login states' `provider`, lease names); 160 leaves room for what is appended to an id, such as a lease
 * name's `.syncDepartmentInfo`.
 */
export const MAX_ID_LENGTH = 160;

export const appJsonSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    title: { type: 'string' },
    /** The title in other languages, as in e.json (i18n.ts). */
    i18n: looseI18nSchema,
    extends: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
} as const;

export const PARAM_TYPES = ['Stext', 'Ltext', 'Numeric', 'Integer', 'Checkbox', 'JSON', 'List', 'Datetime'] as const;

export const functionSpecSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: IDENTIFIER },
    title: { type: 'string' },
    description: { type: 'string' },
    access: { enum: ['public', 'user', 'admin'] },
    startsSession: { type: 'boolean' },
    rateLimit: { enum: ['signIn'] },
    args: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'dataType'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: IDENTIFIER },
          title: { type: 'string' },
          dataType: { enum: PARAM_TYPES },
          required: { type: 'boolean' },
          default: {},
        },
      },
    },
    returnType: { type: 'string' },
  },
} as const;

/** Fields the runtime understands in e.json; anything else is reported as a probable typo. */
export const E_JSON_FIELDS = ['title', 'type', 'description', 'accessModifier', 'functionList', 'backendBundleEntry', 'frontendBundleEntry', 'configSchema', 'configFile', 'i18n'] as const;

export const eJsonSchema = {
  type: 'object',
  required: ['title', 'type'],
  properties: {
    title: { type: 'string', minLength: 1 },
    type: { anyOf: [{ const: '' }, { type: 'string', pattern: FULL_NAME }] },
    description: { type: 'string' },
    accessModifier: { enum: ['public', 'protected', 'private'] },
    functionList: { type: 'array', items: functionSpecSchema },
    backendBundleEntry: { type: 'string', minLength: 1 },
    frontendBundleEntry: { type: 'string', minLength: 1 },
    configSchema: { type: 'string', minLength: 1 },
    configFile: { type: 'string', pattern: '^[^/\\\\]*\\{name\\}[^/\\\\]*\\.json$' },
    /** Title and description in other languages (i18n.ts). */
    i18n: looseI18nSchema,
  },
} as const;

export const validateAppJson: ValidateFunction = ajv.compile(appJsonSchema);
export const validateEJson: ValidateFunction = ajv.compile(eJsonSchema);

/** Pointer to the offending field: for "required" errors ajv points at the parent, so append the missing property. */
export function errorPointer(error: ErrorObject): string {
  // ajv escapes instancePath but hands property names over raw: escape them too (RFC 6901), or "a/b" would read as two levels.
  const escape = (key: unknown) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');
  if (error.keyword === 'required') return `${error.instancePath}/${escape(error.params['missingProperty'])}`;
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${escape(error.params['additionalProperty'])}`;
  return error.instancePath;
}

export function errorMessage(error: ErrorObject): string {
  const field = errorPointer(error) || '(document)';
  if (error.keyword === 'required') return `Missing required field ${field}.`;
  if (error.keyword === 'additionalProperties') return `Unknown field ${field}.`;
  if (error.keyword === 'enum') return `Field ${field} ${error.message}: ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
  return `Field ${field} ${error.message}.`;
}
