// What a viewer's TLS connection tells CloudFront (docs/cloudfront-reference.md §7, §16), recorded by
// the HTTPS listener per request and read by the pipeline when a policy names CloudFront-Viewer-TLS.
// A leaf module (it imports nothing), so the listener and the pipeline do not import each other.

export interface TlsFacts {
  /** `TLSv1.3`, `TLSv1.2`. */
  readonly version: string;
  /** The cipher suite's standard (IANA) name, e.g. `TLS_AES_128_GCM_SHA256`. */
  readonly cipher: string;
  /** CloudFront's three handshake kinds (§7). */
  readonly handshake: 'fullHandshake' | 'sessionResumed' | 'connectionReused';
}

const facts = new WeakMap<object, TlsFacts>();

export function recordTlsFacts(req: object, f: TlsFacts): void {
  facts.set(req, f);
}

/** The request's TLS facts; undefined for a plain-HTTP request. */
export function tlsFactsOf(req: object): TlsFacts | undefined {
  return facts.get(req);
}
