// Bench function, origin-request: adds one header to the request sent to the origin.
export const handler = async (event) => {
  const request = event.Records[0].cf.request;
  request.headers['x-bench-origin-request'] = [{ key: 'X-Bench-Origin-Request', value: '1' }];
  return request;
};
