// The start-up note for associations CloudFront would refuse ($LATEST or an alias,
// docs/cloudfront-reference.md §3.9): fine locally, so one info line says so and how to rehearse a
// deployment.

import { LATEST } from '../code-types.js';

/** An association CloudFront would refuse: it runs $LATEST or an alias (§3.9). */
export interface Unversioned {
  /** `behaviors[0].functions.viewer-request` */
  at: string;
  functionId: string;
  /** `$LATEST` or the alias name. */
  qualifier: string;
  /** The newest published version, if any. */
  newest: string | undefined;
}

/**
 * One line for all of them: what CloudFront would do, that it is fine here, and how to rehearse the
 * deployment. Trigger flags cannot name a version, so the advice names the config file.
 */
export function unversionedNote(list: readonly Unversioned[]): string {
  const names = [...new Set(list.map((u) => (u.qualifier === LATEST ? `"${u.functionId}"` : `"${u.functionId}:${u.qualifier}"`)))];
  const first = list[0] as Unversioned;
  const how =
    first.newest === undefined
      ? `publish a version (edgeproxy publish ${first.functionId}) and associate "${first.functionId}:1"`
      : `associate a numbered version like "${first.functionId}:${first.newest}"`;
  return (
    `edgeproxy: note: ${names.join(', ')} run${names.length === 1 ? 's' : ''} at $LATEST or through an alias, which CloudFront does not accept in an association ` +
    `(${list.length === 1 ? list[0]?.at : `${list.length} associations`}); fine locally; to rehearse a deployment, ${how} in a config file (docs/versions.md)`
  );
}
