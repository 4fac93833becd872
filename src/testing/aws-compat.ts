// Compile-time check (no runtime code): the test kit's events and results stay assignable to the
// community typings of CloudFront events (@types/aws-lambda) that users' functions are written against.

import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResponseEvent } from 'aws-lambda';
import type { AcceptedResponse, EventFor, GeneratedResponse, InvokeResult, RequestEvent, ResponseEvent } from './types.js';

type Assignable<From, To> = [From] extends [To] ? true : false;
type Check<T extends true> = T;

type RequestEventOk = Check<Assignable<RequestEvent, CloudFrontRequestEvent>>;
type ResponseEventOk = Check<Assignable<ResponseEvent, CloudFrontResponseEvent>>;
type ViewerRequestOk = Check<Assignable<EventFor<'viewer-request'>, CloudFrontRequestEvent>>;
type OriginResponseOk = Check<Assignable<EventFor<'origin-response'>, CloudFrontResponseEvent>>;
type ResultRequestOk = Check<Assignable<NonNullable<InvokeResult['request']>, CloudFrontRequest>>;
type GeneratedHeadersOk = Check<Assignable<GeneratedResponse['headers'], CloudFrontHeaders>>;
type ResponseHeadersOk = Check<Assignable<AcceptedResponse['headers'], CloudFrontHeaders>>;

export type { GeneratedHeadersOk, OriginResponseOk, RequestEventOk, ResponseEventOk, ResponseHeadersOk, ResultRequestOk, ViewerRequestOk };
