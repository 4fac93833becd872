// The pipeline's states, in CloudFront's order (docs/cloudfront-reference.md §0, §5.1), and the one
// table of legal transitions. Each stage returns one of the next steps its row allows — its return
// type is derived from the row, so a transition the table does not list does not compile — and the
// driver in run.ts is the only place that sequences them. docs/lifecycle.md describes the same table
// (test/pipeline/lifecycle-doc.test.ts keeps the two in step).

/**
 * step → the steps it may hand over to; `done` ends the exchange. Any step may also fail (throw): the
 * driver then runs `synth`, which answers the failure. A background refresh ends before
 * `viewer-response` (the driver's rule: it has no viewer).
 */
export const TRANSITIONS = {
  /** [A]: the request as CloudFront reads it (head, limits, geo restriction, viewer protocol policy, allowed methods); a redirect to HTTPS is delivered at once. */
  request: ['restrict-viewer-access', 'viewer-request', 'deliver'],
  /** Signed URLs and cookies of a behavior with trusted key groups (§15), before any function runs. */
  'restrict-viewer-access': ['viewer-request'],
  /** [B]: the viewer-request function. */
  'viewer-request': ['cache-lookup', 'deliver'],
  /** [C]–[D]: cache key and lookup; a fresh hit skips the origin side. */
  'cache-lookup': ['origin-request', 'viewer-response'],
  /** [E]+[F]: the origin-side request, then the origin-request function. */
  'origin-request': ['origin-fetch', 'cache-store'],
  /** Between [F] and [G]; an origin group's failover goes back to origin-request for the secondary (§14). */
  'origin-fetch': ['origin-response', 'origin-request'],
  /** [G]: the origin-response function. */
  'origin-response': ['cache-store'],
  'cache-store': ['viewer-response'],
  /** [H]: the viewer-response function. */
  'viewer-response': ['deliver'],
  deliver: ['done'],
  /** CloudFront's answer to a failure: the stale copy (stale-if-error), the error page, or a cut connection. */
  synth: ['viewer-response', 'deliver', 'done'],
} as const;

export type Step = keyof typeof TRANSITIONS;
/** What a stage may return after step `S`: the steps of its row (a `Step`, or `done`). */
export type Next<S extends Step> = (typeof TRANSITIONS)[S][number];
/** A stage's result: synchronous when it has nothing to wait for (a cache hit with no functions). */
export type StepResult<S extends Step> = Next<S> | Promise<Next<S>>;

export const STEPS: readonly Step[] = Object.keys(TRANSITIONS) as Step[];

/**
 * The steps timed for Server-Timing and the origin-latency metric (ms), recorded by the driver when the
 * step waited (returned a promise): a function step waits only when its function runs. `settled` counts
 * a step that failed too (the function ran and answered badly); `resolved` only one that succeeded (a
 * fetch that failed has no origin latency).
 */
export const TIMED: Readonly<Partial<Record<Step, 'settled' | 'resolved'>>> = {
  'viewer-request': 'settled',
  'origin-request': 'settled',
  'origin-fetch': 'resolved',
  'origin-response': 'settled',
  'viewer-response': 'settled',
};

/** One step as the driver ran it, when the exchange is traced (`Exchange.trace`). */
export interface StepTrace {
  readonly step: Step;
  /** Nanoseconds from the exchange's start to the step's start. */
  readonly startNs: number;
  readonly durationNs: number;
  /** The step it handed over to, `done`, or `error` when it failed (the driver went on to synth). */
  readonly outcome: Next<Step> | 'error';
}

export function assertNever(x: never): never {
  throw new Error(`impossible pipeline step: ${String(x)}`);
}
