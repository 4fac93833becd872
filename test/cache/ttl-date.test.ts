import { describe, expect, it } from 'vitest';
import { httpDateNow } from '../../src/cache/ttl.js';

describe('httpDateNow', () => {
  it('is the IMF-fixdate of the current second, rebuilt when the second changes', () => {
    expect(httpDateNow(Date.UTC(2026, 10, 27, 8, 0, 0, 10))).toBe('Fri, 27 Nov 2026 08:00:00 GMT');
    expect(httpDateNow(Date.UTC(2026, 10, 27, 8, 0, 0, 990))).toBe('Fri, 27 Nov 2026 08:00:00 GMT');
    expect(httpDateNow(Date.UTC(2026, 10, 27, 8, 0, 1, 0))).toBe('Fri, 27 Nov 2026 08:00:01 GMT');
  });
});
