// The DNS-rebinding guard of the loopback-only listeners (admin, Lambda API): a request whose Host
// names anything but a loopback address is refused, so a web page cannot reach them through a
// hostname that resolves to 127.0.0.1.

export function isLoopbackName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The hostname of a Host header value, or undefined when it is not a valid host[:port]. */
export function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}
