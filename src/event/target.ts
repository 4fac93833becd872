// The viewer's request target in CloudFront's shape (docs/cloudfront-reference.md §1.3): `uri`, and
// `querystring` without its leading `?`.

export function splitTarget(target: string): { uri: string; querystring: string } {
  // Absolute-form targets (a viewer talking to us as a forward proxy) keep only path and query.
  let t = target;
  if (t[0] !== '/') {
    const slash = t.indexOf('/', t.indexOf('//') + 2);
    t = slash === -1 ? '/' : t.slice(slash);
  }
  const q = t.indexOf('?');
  return q === -1 ? { uri: t, querystring: '' } : { uri: t.slice(0, q), querystring: t.slice(q + 1) };
}
