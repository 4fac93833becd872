// cloudfront-js-2.0
// A CloudFront Function (viewer-request) with a key value store: short links under /go/. The name is
// normalised first — lowercase, repeated and trailing slashes dropped — so /go/Docs/ and /go//docs
// find the same entry. A known name answers a 302 to its target at the edge; an unknown one a 404.
import cf from 'cloudfront';

const links = cf.kvs();

async function handler(event) {
  const request = event.request;
  const name = request.uri.slice('/go/'.length).toLowerCase().replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  let target;
  try {
    target = await links.get(name);
  } catch (e) {
    target = undefined;
  }
  if (target === undefined) {
    return {
      statusCode: 404,
      statusDescription: 'Not Found',
      headers: { 'content-type': { value: 'text/plain; charset=utf-8' }, 'cache-control': { value: 'no-store' } },
      body: 'No short link named "' + name + '"\n',
    };
  }
  return {
    statusCode: 302,
    statusDescription: 'Found',
    headers: { location: { value: target }, 'cache-control': { value: 'max-age=60' } },
  };
}
