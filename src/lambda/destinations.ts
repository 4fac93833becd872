// Where an async event goes when it is done: the on-success / on-failure destination gets Lambda's
// invocation record, the dead-letter queue gets the original event with RequestID, ErrorCode and
// ErrorMessage attributes (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
// SQS, SNS, EventBridge and S3 targets are local sinks (sinks.ts); a Lambda target is invoked
// asynchronously here, as Lambda does.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { DLQ_ERROR_MESSAGE_MAX } from './limits.js';
import type { AsyncMetrics } from './metrics.js';
import { type ArnScope, functionArn, parseTargetArn, type TargetArn } from './names.js';
import type { AsyncSettings } from './routing.js';
import type { SinkKind, Sinks } from './sinks.js';

/** Why an event failed for good; `RetriesExhausted` and `EventAgeExceeded` are Lambda's words. */
type FailureCondition = 'RetriesExhausted' | 'EventAgeExceeded';

export interface EventFacts {
  requestId: string;
  functionName: string;
  /** The qualifier it was invoked with (`$LATEST` when none). */
  invoked: string;
  /** The event as the caller sent it (JSON text). */
  payload: string;
  /** Attempts that ran the function. */
  approximateInvokeCount: number;
}

export interface FailureFacts {
  condition: FailureCondition;
  /** The last attempt's status: 200 for a function error (the invoke itself succeeded), 429 for a throttle. */
  statusCode: number;
  version: string;
  /** Set when the last attempt ran and failed. */
  functionError: 'Unhandled' | undefined;
  errorMessage: string;
  /** The function's error payload (parsed), when it ran. */
  responsePayload: unknown;
}

interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: FailureCondition | 'Success'; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: 'Unhandled' };
  responsePayload?: unknown;
}

/** Re-enqueues a payload for a Lambda target; false when there is no such function. */
type Reinvoke = (functionName: string, qualifier: string | undefined, payload: string) => boolean;

function parsePayload(payload: string): unknown {
  try {
    return JSON.parse(payload === '' ? '{}' : payload) as unknown;
  } catch {
    return payload;
  }
}

export class Delivery {
  /** Set by the queue once it exists (the two refer to each other). */
  reinvoke: Reinvoke = () => false;

  constructor(
    private readonly sinks: Sinks,
    private readonly scope: ArnScope,
    private readonly metrics: AsyncMetrics,
    private readonly log: Logger,
  ) {}

  record(ev: EventFacts, condition: FailureCondition | 'Success', response: InvocationRecord['responseContext'], responsePayload: unknown): InvocationRecord {
    const r: InvocationRecord = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: ev.requestId,
        functionArn: functionArn(this.scope, ev.functionName, ev.invoked),
        condition,
        approximateInvokeCount: ev.approximateInvokeCount,
      },
      requestPayload: parsePayload(ev.payload),
      responseContext: response,
    };
    if (responsePayload !== undefined) r.responsePayload = responsePayload;
    return r;
  }

  /** The event failed for good: on-failure destination and dead-letter queue, each if configured; AsyncEventsDropped. */
  async failed(ev: EventFacts, settings: AsyncSettings, f: FailureFacts): Promise<void> {
    this.metrics.eventDropped(ev.functionName);
    const waits: Array<Promise<void>> = [];
    if (settings.onFailure !== undefined) {
      const response: InvocationRecord['responseContext'] = { statusCode: f.statusCode, executedVersion: f.version };
      if (f.functionError !== undefined) response.functionError = f.functionError;
      const record = this.record(ev, f.condition, response, f.responsePayload);
      waits.push(this.toDestination(ev, settings.onFailure, 'on-failure', record));
    }
    if (settings.deadLetterQueue !== undefined) waits.push(this.toDeadLetter(ev, settings.deadLetterQueue, f));
    if (waits.length === 0) this.log.warn(`edgeproxy: lambda: async event ${ev.requestId} for ${ev.functionName} dropped (${f.condition}: ${f.errorMessage}); no on-failure destination or dead-letter queue is configured`);
    await Promise.all(waits);
  }

  async succeeded(ev: EventFacts, settings: AsyncSettings, version: string, result: unknown): Promise<void> {
    if (settings.onSuccess === undefined) return;
    const record = this.record(ev, 'Success', { statusCode: 200, executedVersion: version }, result);
    await this.toDestination(ev, settings.onSuccess, 'on-success', record);
  }

  private async toDestination(ev: EventFacts, arn: string, kind: SinkKind, record: InvocationRecord): Promise<void> {
    const t = parseTargetArn(arn);
    const ok = t !== undefined && (await this.send(t, kind, ev, destinationMessage(t, this.scope, kind, record)));
    if (!ok) this.metrics.destinationDeliveryFailure(ev.functionName);
  }

  private async toDeadLetter(ev: EventFacts, arn: string, f: FailureFacts): Promise<void> {
    const t = parseTargetArn(arn);
    const attributes = {
      RequestID: ev.requestId,
      ErrorCode: String(f.statusCode),
      ErrorMessage: truncateUtf8(f.errorMessage, DLQ_ERROR_MESSAGE_MAX),
    };
    const ok = t !== undefined && (t.service === 'sqs' || t.service === 'sns') && (await this.send(t, 'dead-letter', ev, deadLetterMessage(t, ev.payload, attributes)));
    if (!ok) this.metrics.deadLetterError(ev.functionName);
  }

  private async send(t: TargetArn, kind: SinkKind, ev: EventFacts, message: unknown): Promise<boolean> {
    const source = { functionName: ev.functionName, qualifier: ev.invoked, requestId: ev.requestId, payload: ev.payload };
    if (t.service === 'lambda') {
      const [name = '', qualifier] = t.resource.split(':');
      const ok = this.reinvoke(name, qualifier, JSON.stringify(message));
      if (!ok) this.log.warn(`edgeproxy: lambda: ${kind} destination ${t.arn} of ${ev.functionName}: no such function; the record was not delivered`);
      return ok;
    }
    return this.sinks.deliver(t, kind, message, source);
  }
}

/** The record as each service holds it: an SQS message, an SNS notification, an EventBridge event, an S3 object. */
function destinationMessage(t: TargetArn, scope: ArnScope, kind: SinkKind, record: InvocationRecord): unknown {
  const body = JSON.stringify(record);
  switch (t.service) {
    case 'sqs':
      return { MessageId: randomUUID(), Body: body, Attributes: { SentTimestamp: String(Date.now()) } };
    case 'sns':
      return { Type: 'Notification', MessageId: randomUUID(), TopicArn: t.arn, Message: body, Timestamp: new Date().toISOString() };
    case 'events':
      return {
        version: '0',
        id: randomUUID(),
        'detail-type': `Lambda Function Invocation Result - ${kind === 'on-success' ? 'Success' : 'Failure'}`,
        source: 'lambda',
        account: scope.accountId,
        time: record.timestamp,
        region: scope.region,
        resources: [t.arn, record.requestContext.functionArn],
        detail: record,
      };
    case 's3':
      return { Bucket: t.resource, Key: `aws/lambda/async/${record.requestContext.functionArn.split(':function:')[1] ?? ''}/${record.timestamp.slice(0, 10).replaceAll('-', '/')}/${record.requestContext.requestId}`, Body: record };
    case 'lambda':
      return record;
  }
}

/** The original event, unchanged, with Lambda's three attributes (SQS: MessageAttributes; SNS: the same in its own spelling). */
function deadLetterMessage(t: TargetArn, payload: string, a: { RequestID: string; ErrorCode: string; ErrorMessage: string }): unknown {
  if (t.service === 'sns') {
    return {
      Type: 'Notification',
      MessageId: randomUUID(),
      TopicArn: t.arn,
      Message: payload,
      Timestamp: new Date().toISOString(),
      MessageAttributes: {
        RequestID: { Type: 'String', Value: a.RequestID },
        ErrorCode: { Type: 'Number', Value: a.ErrorCode },
        ErrorMessage: { Type: 'String', Value: a.ErrorMessage },
      },
    };
  }
  return {
    MessageId: randomUUID(),
    Body: payload,
    Attributes: { SentTimestamp: String(Date.now()) },
    MessageAttributes: {
      RequestID: { DataType: 'String', StringValue: a.RequestID },
      ErrorCode: { DataType: 'Number', StringValue: a.ErrorCode },
      ErrorMessage: { DataType: 'String', StringValue: a.ErrorMessage },
    },
  };
}

/** At most `max` bytes of UTF-8, cut at a character boundary. */
function truncateUtf8(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  let end = max;
  while (end > 0 && ((b[end] ?? 0) & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}
