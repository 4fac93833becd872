// Typed identity for `edgeproxy.config.mjs`: `export default defineConfig({ ... })` gives editor
// completion and type errors while writing the config; validation still happens in loadConfig.

import type { ConfigInput } from './schema.js';

export type { ConfigInput } from './schema.js';

export function defineConfig(c: ConfigInput): ConfigInput {
  return c;
}
