// Compile-time check (no runtime code): edgeproxy's event shapes stay assignable to the community
// typings of CloudFront events that users' TypeScript functions are written against.

import type { CloudFrontRequestEvent, CloudFrontResponseEvent, CloudFrontResultResponse } from 'aws-lambda';
import type { CfConfig, CfRequest, CfResponse, CfResultResponse } from './types.js';

type Assignable<From, To> = [From] extends [To] ? true : false;
type Check<T extends true> = T;

// A request event (viewer-request / origin-request) as edgeproxy builds it.
type RequestEventOk = Check<Assignable<{ Records: [{ cf: { config: CfConfig; request: CfRequest } }] }, CloudFrontRequestEvent>>;
// A response event (origin-response / viewer-response).
type ResponseEventOk = Check<Assignable<{ Records: [{ cf: { config: CfConfig; request: CfRequest; response: CfResponse } }] }, CloudFrontResponseEvent>>;
// What a function returns to generate a response.
type ResultOk = Check<Assignable<CfResultResponse, CloudFrontResultResponse>>;

export type { RequestEventOk, ResponseEventOk, ResultOk };
