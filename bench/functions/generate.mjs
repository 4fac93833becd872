// Bench function, viewer-request: answers every request itself with a 1 KiB 200 (docs/cloudfront-reference.md §2.3);
// the body is built once per worker, as a real function would keep a template in module scope.
const BODY = 'edgeproxy-bench '.repeat(64);

export const handler = async () => ({
  status: '200',
  statusDescription: 'OK',
  headers: {
    'content-type': [{ key: 'Content-Type', value: 'text/plain' }],
    'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
  },
  body: BODY,
});
