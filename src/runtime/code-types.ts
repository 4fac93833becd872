// The contract between the function runtime and the code registry (versions, aliases, hot reload,
// TypeScript). The pool loads whatever file a CodeRef names; the registry decides which one.

/** One loadable build of a function's code. */
export interface CodeRef {
  functionId: string;
  /** `$LATEST` or a published version number as a string (`"3"`), spec §9.1. */
  version: string;
  /** Absolute path of the JavaScript module a worker imports (a compiled/bundled file for .ts or published versions). */
  file: string;
  exportName: string;
  /**
   * Changes whenever `$LATEST`'s code changes on disk: workers of an older generation finish their
   * in-flight invocation and retire; new invocations go to workers of the current generation.
   */
  generation: number;
}

export interface CodeSource {
  /**
   * The code to run for one invocation of `functionId` with an association qualifier (`undefined` or
   * `$LATEST` → $LATEST; `"3"` → version 3; an alias name → its version, drawn per call by weight).
   * Synchronous and cheap: called per request.
   */
  resolve(functionId: string, qualifier: string | undefined): CodeRef;
  /** Snapshots $LATEST as the next numbered version; unchanged code makes no new version (spec §9.1). */
  publish(functionId: string): Promise<{ version: string; created: boolean }>;
  close(): Promise<void>;
}
