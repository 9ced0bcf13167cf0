import type { DataSource, MigrationInterface } from 'typeorm';
import type { SecretBox } from './auth/secret-box.js';
import type { ElementDefinition } from './loader/definition.js';
import type { SharedState } from './shared/shared-state.js';

/** What an element may reach of the app that created it; narrow on purpose. */
export interface ElementHost {
  readonly name: string;
  readonly dir: string;
  readonly dataDir: string;
  readonly dataSource: DataSource;
  getElement<T = unknown>(id: string): T;
  /** Milliseconds since the epoch; injectable so expiry can be tested without waiting. */
  now(): number;
  /** Encryption for values stored at rest (tokens). */
  readonly secrets: SecretBox;
  /** Counters and values every process of the app shares (Redis with JIT_REDIS_URL, else the app's database): quotas, cached tokens. */
  readonly shared: SharedState;
  /** An operational line for whoever runs the app (`jit serve` prints it on stderr): a reconnect, a scheduled run. Never a secret. */
  log(line: string): void;
}

/**
 * Who calls an element method from outside the process. The HTTP layer passes
 * one as the second argument of every functionList call; in-process callers
 * pass none (and are trusted as the server's own code).
 */
export interface MethodCaller {
  /** The calling browser, when the call comes from one. */
  browser?: CallingBrowser;
}

export interface CallingBrowser {
  /** An opaque value that stays with this browser (an HttpOnly cookie), made on first use: bind login states to it. */
  binding(): string;
  /** The binding the browser presented with this request; undefined when it sent none. */
  readonly presentedBinding: string | undefined;
}

export interface ElementContext<Config> {
  host: ElementHost;
  definition: ElementDefinition;
  config: Config;
}

/**
 * Base class of every Type. A Type module exports either
 *   `export function extend(Base) { return class extends Base { … } }`
 * (the runtime hands in the class it overrides or specialises, like `super`), or
 *   `export default class extends Element { … }`.
 * The constructor receives the bound, validated, frozen config.
 */
export class Element<Config = Readonly<Record<string, unknown>>> {
  /** TypeORM entity classes this Type persists through; the app's DataSource registers them. */
  static entities: ReadonlyArray<Function> = [];

  /** Schema migrations for those entities (portableMigration classes), applied by `jit db migrate`. */
  static migrations: ReadonlyArray<new () => MigrationInterface> = [];

  // A class may also declare what it plugs into the runtime — static roles, admin, endpoints, cli and
  // devServers. They are typed and checked in runtime/declarations/, not defaulted here, so those files can
  // use this file's types (MethodCaller) without an import cycle.

  readonly fullName: string;
  readonly title: string;
  readonly definition: ElementDefinition;
  readonly config: Config;
  protected readonly host: ElementHost;

  constructor(context: ElementContext<Config>) {
    this.host = context.host;
    this.definition = context.definition;
    this.fullName = context.definition.fullName;
    this.title = context.definition.title;
    this.config = context.config;
  }

  /** Called when the instance is replaced by a reload or the app closes: release timers, sockets, caches. */
  async close(): Promise<void> {}
}

export type ElementClass = typeof Element<any> & (new (context: ElementContext<any>) => Element<any>);
