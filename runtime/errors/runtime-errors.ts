import { codesOf, defineCodes } from './code-catalogue.js';

/**
 * Codes the runtime raises itself, 10001–10099 (the HTTP layer's are 10401–10500, auth's 40030/40301;
 * an element declares its own in its folder).
 */
export const RuntimeErrors = defineCodes('runtime', {
  /** `suggestion` is empty or " Did you mean …?". */
  ELEMENT_NOT_FOUND: { code: 10001, status: 404, message: 'Element "{id}" does not exist in app "{app}".{suggestion}' },
  INVALID_ELEMENT_ID: { code: 10002, status: 404, message: '"{id}" is not an element id; ids are dotted names such as crm.leads.WebForm.' },
  ELEMENT_QUARANTINED: { code: 10003, status: 503, message: 'Element "{id}" failed to load: {problems}' },
  APP_INVALID: { code: 10004, status: 400, message: 'App {dir} has {count} problem(s):\n{problems}' },
  INSTANCE_CREATE_FAILED: { code: 10005, status: 503, message: 'Creating "{id}" failed: {cause}' },
  APP_CLOSED: { code: 10006, status: 503, message: 'App "{app}" is closed.' },
  DATABASE_UNAVAILABLE: { code: 10007, status: 503, message: 'Cannot open the database at {where}: {cause}' },
  /** A parameter, option or variable is missing or malformed: `problem` says which and what would do. */
  INVALID_PARAMS: { code: 10008, status: 400, message: '{problem}' },
  SCHEMA_OUTDATED: { code: 10009, status: 503, message: 'The database at {where} is behind the models: {problem}' },
  /** Another process holds the lease for this work: `problem` names the work and when to try again. */
  BUSY: { code: 10010, status: 409, message: '{problem}' },
});

/** The numbers, for `err.code === RuntimeCodes.BUSY` (part of the public API, like `Code`). */
export const RuntimeCodes = codesOf(RuntimeErrors);
