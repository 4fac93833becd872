// DistributionConfig.Origins → edgeproxy's origins: each remote origin's local URL from --origin-map
// (its DomainName or Id), the OriginPath appended, custom headers, timeouts and TLS protocols.
// The scheme and port come from the local URL; what else an origin says is listed, not dropped.
// Field names: CloudFront API Reference, Origin and CustomOriginConfig.

import type { MapContext, MapSink, Origin } from './context.js';
import { field, isEmptyValue, items, num, obj, str, strings } from './json.js';

const ORIGIN_NOTES: Readonly<Record<string, string>> = {
  S3OriginConfig: 'ignored locally: the mapped URL is fetched without S3 signing',
  OriginAccessControlId: 'ignored locally: the mapped URL is fetched unsigned',
  ConnectionAttempts: 'not emulated: one connection attempt',
  OriginShield: 'ignored locally: no regional cache',
  VpcOriginConfig: 'ignored locally: the mapped URL is fetched directly',
  ResponseCompletionTimeout: 'not emulated',
};
const ORIGIN_MAPPED = new Set(['Id', 'DomainName', 'OriginPath', 'CustomHeaders', 'OriginCustomHeaders', 'CustomOriginConfig', 'ConnectionTimeout']);
const CUSTOM_ORIGIN_MAPPED = new Set(['OriginReadTimeout', 'OriginKeepaliveTimeout', 'OriginSslProtocols', 'OriginSSLProtocols']);

export function mapOrigins(list: unknown, ctx: MapContext, sink: MapSink): Origin[] {
  return items(list).map((raw, i) => {
    const o = obj(raw) ?? {};
    const id = str(o.Id) ?? `origin${i}`;
    const at = `Origins[${id}]`;
    const domain = str(o.DomainName) ?? '';
    const mapped = ctx.originMap.get(domain) ?? ctx.originMap.get(id);
    if (mapped === undefined) {
      const key = domain !== '' && !domain.includes('<') ? domain : id;
      sink.problem(`${at}: origin "${domain || id}" has no local URL; map it with --origin-map ${key}=http://127.0.0.1:3000`);
    }
    const originPath = str(o.OriginPath) ?? '';
    const origin: Origin = { id, url: `${(mapped ?? 'http://127.0.0.1').replace(/\/+$/, '')}${originPath}` };
    const headers: Record<string, string> = {};
    for (const h of items(field(o, 'CustomHeaders', 'OriginCustomHeaders'))) {
      const ho = obj(h) ?? {};
      const name = str(ho.HeaderName);
      if (name !== undefined) headers[name] = str(ho.HeaderValue) ?? '';
    }
    if (Object.keys(headers).length > 0) origin.customHeaders = headers;
    const connect = num(o.ConnectionTimeout);
    if (connect !== undefined) origin.connectTimeout = connect;
    const custom = obj(o.CustomOriginConfig);
    if (custom !== undefined) {
      const read = num(custom.OriginReadTimeout);
      const keep = num(custom.OriginKeepaliveTimeout);
      if (read !== undefined) origin.readTimeout = read;
      if (keep !== undefined) origin.keepaliveTimeout = keep;
      const ssl = strings(field(custom, 'OriginSslProtocols', 'OriginSSLProtocols'));
      if (ssl.length > 0) origin.sslProtocols = ssl as NonNullable<Origin['sslProtocols']>;
      const wire = Object.entries(custom).filter(([k, v]) => !CUSTOM_ORIGIN_MAPPED.has(k) && !isEmptyValue(v));
      if (wire.length > 0) sink.note(`${at}.CustomOriginConfig`, Object.fromEntries(wire), 'the --origin-map URL decides scheme and port');
    }
    for (const [k, v] of Object.entries(o)) {
      if (ORIGIN_MAPPED.has(k) || isEmptyValue(v)) continue;
      if (k === 'ConnectionAttempts' && num(v) === 1) continue;
      sink.note(`${at}.${k}`, v, ORIGIN_NOTES[k] ?? 'ignored locally (unknown to edgeproxy)');
    }
    return origin;
  });
}
