// Lambda's own numbers for the Invoke API and the async queue: AWS's rules, not edgeproxy's choices
// (those are in config/defaults.ts). Sources: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
// invocation-async.html, invocation-retries.html and API_Invoke.html.

/** Synchronous request payload limit, 6 MB (the 413 message says 6291456 bytes). */
export const SYNC_PAYLOAD_LIMIT = 6_291_456;
/** Synchronous response limit; Lambda's own check allows 100 bytes more than the request limit [O]. */
export const SYNC_RESPONSE_LIMIT = 6_291_556;
/** Asynchronous (`Event`) payload limit since October 2025: 1 MB. */
export const ASYNC_PAYLOAD_LIMIT = 1_048_576;
/** The async limit before October 2025 (and of the deprecated InvokeAsync), 256 KB. */
export const LEGACY_ASYNC_PAYLOAD_LIMIT = 262_144;
/** `X-Amz-Log-Result` carries the last 4 KB of the invocation's log. */
export const LOG_TAIL_BYTES = 4_096;
/** `X-Amz-Client-Context` is at most 3,583 bytes of base64. */
export const CLIENT_CONTEXT_LIMIT = 3_583;
/** A function name alone is at most 64 characters; a whole FunctionName (ARN and qualifier) at most 170. */
export const FUNCTION_NAME_MAX = 64;
export const FUNCTION_REF_MAX = 170;
/** Alias names: 1-128 letters, digits, `-`, `_`, not only digits. */
export const ALIAS_NAME = /^(?![0-9]+$)[A-Za-z0-9_-]{1,128}$/;
export const VERSION_NUMBER = /^[1-9][0-9]*$/;
export const LATEST = '$LATEST';

/**
 * After a function error an async event is tried again about 1 minute after the first attempt and
 * about 2 minutes after the second (invocation-async.html).
 */
export const RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];
/** Throttled or system-failed async attempts go back to the queue with exponential backoff from 1 s up to 5 minutes. */
export const THROTTLE_BACKOFF_MIN_MS = 1_000;
export const THROTTLE_BACKOFF_MAX_MS = 300_000;
/** PutFunctionEventInvokeConfig ranges. */
export const MAXIMUM_RETRY_ATTEMPTS_MAX = 2;
export const MAXIMUM_EVENT_AGE_MIN_S = 60;
export const MAXIMUM_EVENT_AGE_MAX_S = 21_600;
/** A dead-letter message carries at most the first 1 KB of the error message. */
export const DLQ_ERROR_MESSAGE_MAX = 1_024;
/** Lambda keeps at least 100 of the account's concurrency unreserved (configuration-concurrency.html). */
export const MIN_UNRESERVED_CONCURRENCY = 100;
/** ListFunctions and the other List* operations return at most 50 items per page. */
export const LIST_PAGE_MAX = 50;
/** Function timeout range for the Invoke API: 1-900 seconds. */
export const FUNCTION_TIMEOUT_MAX_S = 900;
