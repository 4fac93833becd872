// Soak function, origin-response: says which request it saw, so the soak can check that a response
// went through the function run of its own request.
export const handler = async (event) => {
  const { request, response } = event.Records[0].cf;
  response.headers['x-soak-seen'] = [{ key: 'X-Soak-Seen', value: request.uri }];
  return response;
};
