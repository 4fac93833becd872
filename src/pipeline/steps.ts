// The pipeline's states, in CloudFront's order (spec §0). Each stage returns the next one;
// the driver in run.ts is the only place that sequences them.

export type Step =
  | 'viewer-request' //   [B]
  | 'cache-lookup' //     [C]–[D]
  | 'origin-request' //   [E]–[F]
  | 'origin-fetch'
  | 'origin-response' //  [G]
  | 'cache-store'
  | 'viewer-response' //  [H]
  | 'deliver';

export function assertNever(x: never): never {
  throw new Error(`impossible pipeline step: ${String(x)}`);
}
