/**
 * The error API, as JitAI names it (`jit.errcode`): the `Code` every element and the runtime
 * throw, `defineCodes` to declare a catalogue of them (how: errors/code-catalogue.ts), and the
 * runtime's own catalogue (errors/runtime-errors.ts). Elements import from here.
 */
export { Code } from './errors/code.js';
export { codesOf, declaredCodes, defineCodes, definitionOf, messageIn, phrase, statusFor, type CodeDefinition, type CodeSpec, type Details, type MessageLocale, type MessageParam, type MessageParams, type Phrase, type Placeholders } from './errors/code-catalogue.js';
export { RuntimeCodes, RuntimeErrors } from './errors/runtime-errors.js';
