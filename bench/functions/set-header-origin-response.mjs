// Bench function, origin-response: adds one header to the origin's response (before caching).
export const handler = async (event) => {
  const response = event.Records[0].cf.response;
  response.headers['x-bench-origin-response'] = [{ key: 'X-Bench-Origin-Response', value: '1' }];
  return response;
};
