export { loadApp, App, type LoadAppOptions, type ElementInfo, type Explanation, type ReloadEvent } from './app.js';
export { Code, RuntimeCodes } from './errcode.js';
export { Element, type ElementContext, type ElementHost, type ElementClass } from './element.js';
export { DiagnosticCatalogue, type DiagnosticCode } from './diagnostics/catalogue.js';
export { formatDiagnostic, type Diagnostic } from './diagnostics/diagnostic.js';
export type { ElementDefinition, FunctionSpec, ArgSpec } from './loader/definition.js';
export type { ElementKind } from './loader/resolve.js';
export { OFFICIAL_ELEMENTS_DIR } from './paths.js';
