// The contract between the function runtime and the code registry (versions, aliases, hot reload,
// TypeScript). The pool loads whatever file a CodeRef names; the registry decides which one.

/** The version that follows the file on disk (docs/cloudfront-reference.md §9.1). */
export const LATEST = '$LATEST';

/** One loadable build of a function's code. */
export interface CodeRef {
  functionId: string;
  /** `$LATEST` or a published version number as a string (`"3"`), docs/cloudfront-reference.md §9.1. */
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
  /** Snapshots $LATEST as the next numbered version; unchanged code makes no new version (docs/cloudfront-reference.md §9.1). */
  publish(functionId: string): Promise<{ version: string; created: boolean }>;
  /**
   * Why $LATEST serves older code than the file on disk (the last save did not load: its error), or
   * undefined when it serves the file. Read on the inspector-headers path only.
   */
  reloadProblem(functionId: string): string | undefined;
  close(): Promise<void>;
}

/** A published version as listed for the admin listener and the CLI. */
export interface VersionInfo {
  version: string;
  sha256: string;
  createdAt: string;
  /** The entry file it was built from. */
  source: string;
  exportName: string;
}

export interface LocalCodeSource extends CodeSource {
  /** Published versions of a function, ascending; throws PublishError('UnknownFunction'). */
  versions(functionId: string): readonly VersionInfo[];
  /**
   * Every build `resolve(functionId, qualifier)` can return right now (an alias: both versions), for
   * start-up checks and prewarming. Not for the hot path.
   */
  candidates(functionId: string, qualifier: string | undefined): readonly CodeRef[];
}

export type PublishErrorCode = 'UnknownFunction' | 'BuildFailed' | 'Closed';

/** publish() failures: UnknownFunction → 404 on the admin listener, BuildFailed → 400 with the message. */
export class PublishError extends Error {
  readonly code: PublishErrorCode;
  constructor(code: PublishErrorCode, message: string) {
    super(message);
    this.name = 'PublishError';
    this.code = code;
  }
}
