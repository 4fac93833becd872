// The error table and its documentation stay in step (as fastify's errors test does).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EdgeError, ERRORS, type ErrorCode } from '../src/errors.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

describe('error table', () => {
  for (const code of Object.keys(ERRORS) as ErrorCode[]) {
    it(`${code} is documented with its status and X-Cache name`, () => {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\``));
      expect(row, `docs/errors.md has no row for ${code}`).toBeDefined();
      expect(row).toContain(`| ${ERRORS[code].status} |`);
      expect(row).toContain(`\`${ERRORS[code].xCache}\``);
    });
  }

  it('an EdgeError carries status, X-Cache name and a log line naming stage, function and field', () => {
    const e = new EdgeError('LambdaValidationError', 'header X-Cache is disallowed', {
      field: 'headers["x-cache"]',
      stage: 'viewer-request',
      functionName: 'functions/auth.js',
    });
    expect(e.status).toBe(502);
    expect(e.xCache).toBe('LambdaValidationError');
    expect(e.describe()).toBe('viewer-request (functions/auth.js): LambdaValidationError: headers["x-cache"]: header X-Cache is disallowed');
  });
});
