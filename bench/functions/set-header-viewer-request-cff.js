// Bench function, a CloudFront Function (cloudfront-js-2.0) at viewer-request: adds one request header
// and lets the request continue — the same rewrite as set-header-viewer-request.mjs (Lambda@Edge).
function handler(event) {
  var request = event.request;
  request.headers['x-bench-viewer-request'] = { value: '1' };
  return request;
}
