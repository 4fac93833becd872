// Lambda@Edge event and result shapes (docs/cloudfront-reference.md §1, §2.3). These are the wire shapes a function sees
// and returns; they are plain data so they cross the worker boundary as JSON.

export type EventType = 'viewer-request' | 'origin-request' | 'origin-response' | 'viewer-response';
export const EVENT_TYPES: readonly EventType[] = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];

/** One header line as CloudFront shows it: `key` keeps the sent spelling (docs/cloudfront-reference.md §1.2). */
export interface CfHeaderEntry {
  key?: string;
  value: string;
}
/** Lowercase header name → one entry per header line. */
export type CfHeaders = Record<string, CfHeaderEntry[]>;

export interface CfBody {
  readonly inputTruncated: boolean;
  action: 'read-only' | 'replace';
  encoding: 'base64' | 'text';
  data: string;
}

export interface CfCustomOrigin {
  customHeaders: CfHeaders;
  domainName: string;
  keepaliveTimeout: number;
  path: string;
  port: number;
  protocol: 'http' | 'https';
  readTimeout: number;
  sslProtocols: string[];
}
interface CfS3OriginBase {
  customHeaders: CfHeaders;
  domainName: string;
  path: string;
}
/** docs/cloudfront-reference.md §1.4: `region` is required with an origin access identity. */
export type CfS3Origin =
  | (CfS3OriginBase & { authMethod: 'origin-access-identity'; region: string })
  | (CfS3OriginBase & { authMethod: 'none'; region?: undefined });
export type CfOrigin = { custom: CfCustomOrigin } | { s3: CfS3Origin };

export interface CfRequest {
  clientIp: string;
  method: string;
  uri: string;
  querystring: string;
  headers: CfHeaders;
  body?: CfBody;
  origin?: CfOrigin;
}

export interface CfResponse {
  status: string;
  statusDescription: string;
  headers: CfHeaders;
}

export interface CfConfig {
  distributionDomainName: string;
  distributionId: string;
  eventType: EventType;
  requestId: string;
}

export interface CfRecord {
  cf: { config: CfConfig; request: CfRequest; response?: CfResponse };
}
export interface CfEvent {
  Records: [CfRecord];
}

/** A response a function generates (viewer-request / origin-request), or a modified response. */
export interface CfResultResponse {
  status: string;
  statusDescription?: string;
  headers?: CfHeaders;
  bodyEncoding?: 'text' | 'base64';
  body?: string;
}
