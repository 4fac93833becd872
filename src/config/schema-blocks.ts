// Building blocks the config's schemas share (schema.ts, schema-distribution.ts).

import { z } from 'zod';

/** A string with at least one character. */
export const nonEmpty = z.string().min(1, { error: 'must not be empty' });
