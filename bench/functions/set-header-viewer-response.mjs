// Bench function, viewer-response: adds one response header.
export const handler = async (event) => {
  const response = event.Records[0].cf.response;
  response.headers['x-bench-viewer-response'] = [{ key: 'X-Bench-Viewer-Response', value: '1' }];
  return response;
};
