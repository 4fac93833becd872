// Soak function, viewer-request: fails on /fn/throw/…, runs past its timeout on /fn/loop/…, and
// otherwise lets the request through.
export const handler = async (event) => {
  const request = event.Records[0].cf.request;
  if (request.uri.startsWith('/fn/throw/')) throw new Error('soak: this function fails on purpose');
  if (request.uri.startsWith('/fn/loop/')) for (;;);
  return request;
};
