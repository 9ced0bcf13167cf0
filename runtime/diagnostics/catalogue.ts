/**
 * Every problem the runtime can report about an app, in one place.
 *
 * A diagnostic is data, not an exception: loading collects them, quarantines
 * the element at fault (and whatever depends on it) and carries on with the
 * rest. `error` quarantines; `warning` is reported but the element loads.
 * `loadApp(dir, { strict: true })` and `jit validate` fail on either.
 */
export const DiagnosticCatalogue = {
  APP_JSON_MISSING: { severity: 'warning', hint: 'Add app.json: {"name": "<folder name>", "title": "…", "extends": []}.' },
  APP_JSON_INVALID: { severity: 'error', hint: 'app.json needs "name" (string) and optionally "title" (string) and "extends" (array of app names or ./relative paths).' },
  APP_EXTENDS_UNKNOWN: { severity: 'error', hint: 'Name a sibling app folder that holds app.json, or a path starting with ./ or ../.' },
  APP_EXTENDS_CYCLE: { severity: 'error', hint: 'Remove one of the apps from the other\'s "extends" list.' },
  FILE_UNREADABLE: { severity: 'error', hint: 'Check the file exists and is readable.' },
  FILE_TOO_LARGE: { severity: 'error', hint: 'Element files are small JSON documents; keep them under 1 MiB.' },
  JSON_ENCODING: { severity: 'error', hint: 'Save the file as UTF-8.' },
  JSON_BOM: { severity: 'warning', hint: 'Save the file as UTF-8 without a byte-order mark.' },
  JSON_SYNTAX: { severity: 'error', hint: 'Fix the JSON syntax at the position given (a trailing comma or a missing quote is the usual cause).' },
  JSON_TOO_DEEP: { severity: 'error', hint: 'Element files nest a few levels at most; flatten the document.' },
  ELEMENT_NAME_INVALID: { severity: 'error', hint: 'Folder names become dotted element ids: use letters, digits and _ only, not starting with a digit; at most 64 characters a folder name and 200 for the whole id.' },
  EJSON_INVALID: { severity: 'error', hint: 'See the e.json reference in the README: "title" and "type" are required.' },
  EJSON_UNKNOWN_FIELD: { severity: 'warning', hint: 'Remove the field or fix its spelling; e.json fields are listed in the README.' },
  DUPLICATE_ID: { severity: 'error', hint: 'Rename one of the folders: ids that differ only in letter case collide on case-insensitive file systems.' },
  OVERRIDE_PROTECTED: { severity: 'error', hint: 'The element is protected by the layer that defines it: give yours another name instead of overriding it.' },
  UNKNOWN_TYPE: { severity: 'error', hint: 'Set "type" to the fullName of an existing Type or Meta (jit ls lists them).' },
  TYPE_CYCLE: { severity: 'error', hint: 'A Type chain must end at a Meta (an element with "type": ""). Break the cycle.' },
  INSTANCE_OF_META: { severity: 'error', hint: 'Instances name a Type (e.g. crm.leads.FormType). A Type naming a Meta must declare "backendBundleEntry".' },
  DEPENDENCY_BROKEN: { severity: 'error', hint: 'Fix the element it depends on; this one loads again once that one does.' },
  ENTRY_OUTSIDE_ELEMENT: { severity: 'error', hint: '"backendBundleEntry" must name a file inside the element folder (no ../, no absolute path, no symlink out).' },
  MODULE_NOT_FOUND: { severity: 'error', hint: 'Create the module file named by "backendBundleEntry", or fix the name.' },
  MODULE_LOAD_FAILED: { severity: 'error', hint: 'The module threw while loading; fix the error shown.' },
  MODULE_EXPORT_INVALID: { severity: 'error', hint: 'Export `extend(Base)` returning a class that extends Base, or a default class extending Element.' },
  SCHEMA_INVALID: { severity: 'error', hint: 'Fix the Type\'s config JSON Schema (draft 2020-12 subset that ajv accepts).' },
  CONFIG_MISSING: { severity: 'error', hint: 'Create the config file next to e.json; its name is set by the Type ("{name}.json" by default).' },
  CONFIG_INVALID: { severity: 'error', hint: 'Fix the field named by the pointer; the Type\'s config reference is in the README.' },
  CONFIG_ENV_MISSING: { severity: 'error', hint: 'Set the environment variable before starting, or replace the placeholder with a value.' },
  CONFIG_ENV_FORBIDDEN: { severity: 'error', hint: 'JIT_* variables configure the runtime itself and are never substituted into element configs; write the value or use another variable.' },
  INSTANCE_CREATE_FAILED: { severity: 'error', hint: 'The Type\'s constructor threw for this config; fix the config or the Type.' },
  SERVICE_FAILED: { severity: 'error', hint: 'A service the Type runs while served (static services) failed to start; the message says why. The element\'s methods still answer.' },
  RESTART_REQUIRED: { severity: 'warning', hint: 'Code and model changes are loaded at start: restart the app to pick this one up.' },
} as const;

export type DiagnosticCode = keyof typeof DiagnosticCatalogue;
export type Severity = 'error' | 'warning';
