// Bench function, viewer-request with includeBody: decodes the body (the work a function that
// inspects a POST does) and reports its length in a header; the body itself goes on unchanged.
export const handler = async (event) => {
  const request = event.Records[0].cf.request;
  const body = request.body;
  const bytes = body && body.data ? Buffer.from(body.data, body.encoding === 'base64' ? 'base64' : 'utf8').length : 0;
  request.headers['x-bench-body-length'] = [{ key: 'X-Bench-Body-Length', value: String(bytes) }];
  return request;
};
