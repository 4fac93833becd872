// Configuration and command-line errors, in one table: code → exit status, who is at fault. They
// happen before edgeproxy listens (or before `invalidate` / `publish` send anything); the CLI prints
// the message, one line per problem, and exits with the code's status. docs/errors.md documents every
// code with how to fix it (test/errors-catalogue.test.ts keeps the two in step).

export type ConfigErrorCode = 'UsageError' | 'ConfigFileNotFound' | 'ConfigFileUnreadable' | 'InvalidConfig' | 'FunctionLoadError';

interface ConfigErrorSpec {
  /** The CLI's exit status. */
  exitCode: number;
  /** user: the command line, the config or a function's file is at fault; system: edgeproxy. */
  kind: 'user' | 'system';
}

export const CONFIG_ERRORS: Readonly<Record<ConfigErrorCode, ConfigErrorSpec>> = {
  // The command line (or the flags given to loadConfig) cannot be understood.
  UsageError: { exitCode: 2, kind: 'user' },
  // --config names a file that does not exist.
  ConfigFileNotFound: { exitCode: 2, kind: 'user' },
  // The config file exists but yields no configuration: invalid JSON, a module that throws, no default export, an unknown extension.
  ConfigFileUnreadable: { exitCode: 2, kind: 'user' },
  // The configuration breaks a rule of the schema or of CloudFront's: one line per problem, each naming the field.
  InvalidConfig: { exitCode: 2, kind: 'user' },
  // A function's code cannot be loaded at start: missing file, does not compile, throws on load, lacks the export, unpublished version.
  FunctionLoadError: { exitCode: 2, kind: 'user' },
};

/**
 * A configuration or command-line error: printed before listening, exit status from the table.
 * `code` identifies it (not the class: the CLI matches by name and code, see cli.ts).
 */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly exitCode: number;
  constructor(code: ConfigErrorCode, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.code = code;
    this.exitCode = CONFIG_ERRORS[code].exitCode;
  }
}
