// The viewer protocol policy (docs/cloudfront-reference.md §16): what a plain-HTTP viewer request gets
// under each policy, and the redirect CloudFront sends for `redirect-to-https`. Pure rules; the
// pipeline applies them before the viewer-request function.

import type { ViewerProtocolPolicy } from '../rules/cloudfront.js';

/** What an HTTP request gets: served (`undefined`), redirected with 301 or 307, or refused (403). */
export type ProtocolAnswer = undefined | 301 | 307 | 'forbidden';

/** §16: HTTPS is always served; HTTP by policy, method and HTTP version. */
export function protocolAnswer(policy: ViewerProtocolPolicy, method: string, httpVersion: string): ProtocolAnswer {
  switch (policy) {
    case 'allow-all':
      return undefined;
    case 'https-only':
      return 'forbidden';
    case 'redirect-to-https':
      if (method === 'GET' || method === 'HEAD') return 301;
      // [C] the current pages: 307 keeps the method and body, for HTTP/1.1 and later; HTTP/1.0 gets 403.
      return httpVersion === '1.0' ? 'forbidden' : 307;
  }
}

/** The host of a Host header value without its port: `a.example:8080` → `a.example`, `[::1]:80` → `[::1]`. */
function hostOnly(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * `Location` of the redirect: the viewer's URL with `https://`, on the HTTPS listener's port (left out
 * when it is 443 or there is no local HTTPS listener, as on CloudFront).
 */
export function httpsLocation(host: string, target: string, httpsPort: number | undefined): string {
  const name = hostOnly(host);
  const port = httpsPort === undefined || httpsPort === 443 ? '' : `:${httpsPort}`;
  return `https://${name}${port}${target}`;
}

/** The redirect's body, as CloudFront sends it [O]. */
export function redirectBody(status: 301 | 307): string {
  const title = status === 301 ? '301 Moved Permanently' : '307 Temporary Redirect';
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>CloudFront</center>\r\n</body>\r\n</html>\r\n`;
}
