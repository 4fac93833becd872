// `origins[]` → ResolvedOrigin: the URL split into what the event's `origin.custom` shows
// (docs/cloudfront-reference.md §1.4), CloudFront's origin rules checked, defaults applied.

import { isForbiddenOriginCustomHeader, isHeaderName, isOriginPort, MAX_ORIGIN_PATH_LENGTH } from '../../rules/cloudfront.js';
import {
  DEFAULT_ORIGIN_CONNECT_TIMEOUT_S,
  DEFAULT_ORIGIN_KEEPALIVE_TIMEOUT_S,
  DEFAULT_ORIGIN_READ_TIMEOUT_S,
  DEFAULT_ORIGIN_SSL_PROTOCOLS,
} from '../defaults.js';
import type { PathSegment, Problems } from '../problems.js';
import type { ParsedConfig } from '../schema.js';
import type { ResolvedOrigin } from '../types.js';

/** C0 controls except HTAB, and DEL: not allowed in a header value (RFC 9110 §5.5). */
export const CTL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export function resolveOrigin(o: ParsedConfig['origins'][number], at: PathSegment[], problems: Problems): ResolvedOrigin | undefined {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    problems.add([...at, 'url'], `not a valid URL: ${JSON.stringify(o.url)} (expected e.g. http://127.0.0.1:3000)`);
    return undefined;
  }
  const protocol = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : undefined;
  let ok = true;
  const bad = (msg: string): void => {
    problems.add([...at, 'url'], msg);
    ok = false;
  };
  if (protocol === undefined) bad(`must be an http:// or https:// URL, got ${JSON.stringify(o.url)}`);
  if (url.hostname === '') bad(`must name a host, got ${JSON.stringify(o.url)}`);
  if (url.username !== '' || url.password !== '') bad('must not contain credentials; use customHeaders instead');
  if (url.search !== '' || url.hash !== '') bad('must not contain a query string or fragment (an origin path is a path only, AWS rule: request.origin)');
  const port = url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port);
  if (!isOriginPort(port)) bad(`port ${port} is not one CloudFront can use: 80, 443, or 1024-65535 (AWS rule: request.origin)`);
  // docs/cloudfront-reference.md §1.4: an origin path starts with `/`, has no trailing `/`, `""` allowed.
  const originPath = url.pathname.replace(/\/+$/, '');
  if (originPath.length > MAX_ORIGIN_PATH_LENGTH) bad(`origin path must be at most ${MAX_ORIGIN_PATH_LENGTH} characters, got ${originPath.length}`);

  const customHeaders: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(o.customHeaders ?? {})) {
    const hat = [...at, 'customHeaders', name];
    const lower = name.toLowerCase();
    if (!isHeaderName(name)) problems.add(hat, 'not a valid header name');
    else if (isForbiddenOriginCustomHeader(name)) problems.add(hat, `CloudFront cannot add "${name}" as an origin custom header (AWS rule: headers CloudFront adds, removes or replaces)`);
    else if (seen.has(lower)) problems.add(hat, 'duplicate header name (names are case-insensitive)');
    else if (CTL.test(value)) problems.add(hat, 'value must not contain control characters');
    else customHeaders[name] = value;
    seen.add(lower);
  }
  if (!ok || protocol === undefined) return undefined;
  return {
    id: o.id,
    url: o.url,
    protocol,
    // URL keeps IPv6 literals bracketed; the event and socket APIs want the bare address.
    domainName: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    path: originPath,
    readTimeout: o.readTimeout ?? DEFAULT_ORIGIN_READ_TIMEOUT_S,
    keepaliveTimeout: o.keepaliveTimeout ?? DEFAULT_ORIGIN_KEEPALIVE_TIMEOUT_S,
    connectTimeout: o.connectTimeout ?? DEFAULT_ORIGIN_CONNECT_TIMEOUT_S,
    customHeaders,
    sslProtocols: o.sslProtocols ?? [...DEFAULT_ORIGIN_SSL_PROTOCOLS],
  };
}

/** Duplicate `id`s in `origins` or `functions`, each reported where it repeats. */
export function checkUniqueIds(items: readonly { id: string }[], list: string, problems: Problems): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) problems.add([list, i, 'id'], `duplicate id "${item.id}" (also ${list}[${first}])`);
    else seen.set(item.id, i);
  });
}
