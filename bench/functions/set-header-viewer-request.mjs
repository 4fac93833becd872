// Bench function, viewer-request: adds one request header and lets the request continue.
export const handler = async (event) => {
  const request = event.Records[0].cf.request;
  request.headers['x-bench-viewer-request'] = [{ key: 'X-Bench-Viewer-Request', value: '1' }];
  return request;
};
