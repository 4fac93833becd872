// CloudFront Functions' event and result shapes (CloudFront Developer Guide, "CloudFront Functions
// event structure", functions-event-structure.html). Plain data: they cross the worker boundary as JSON.

/** A query parameter, header or cookie: the first value, and every value when the name repeats. */
export interface CffValue {
  value: string;
  multiValue?: Array<{ value: string }>;
}

/** A Set-Cookie cookie: `attributes` is the raw text after the first `;` ("Cookie attributes"). */
export interface CffSetCookie {
  value: string;
  attributes?: string;
  multiValue?: Array<{ value: string; attributes?: string }>;
}

export type CffValues = Record<string, CffValue>;

export interface CffRequest {
  method: string;
  uri: string;
  querystring: CffValues;
  headers: CffValues;
  cookies: CffValues;
}

export interface CffResponse {
  statusCode: number;
  statusDescription?: string;
  headers: CffValues;
  cookies: Record<string, CffSetCookie>;
}

export interface CffContext {
  distributionDomainName: string;
  distributionId: string;
  eventType: 'viewer-request' | 'viewer-response';
  requestId: string;
}

export interface CffEvent {
  version: '1.0';
  context: CffContext;
  viewer: { ip: string };
  request: CffRequest;
  response?: CffResponse;
}
