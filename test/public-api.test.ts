// The package's public surface (src/index.ts): exactly the documented exports, and a handle without the
// proxy's internals (cache, metrics, Lambda API state), so what users depend on is what the docs describe.

import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { memoryLogger } from '../src/log.js';
import { send, startOrigin } from './helpers.js';

describe('public API', () => {
  it('exports the documented values and nothing else', () => {
    expect(Object.keys(api).sort()).toEqual(['ConfigError', 'EdgeError', 'checkCff', 'defineConfig', 'loadConfig', 'startEdgeProxy', 'testFunction']);
  });

  it('startEdgeProxy returns a handle with the documented fields only, and it serves', async () => {
    const origin = await startOrigin();
    try {
      const config = await api.loadConfig({ object: { listen: { host: '127.0.0.1', port: 0 }, origins: [{ id: 'o', url: origin.url }] } });
      const proxy = await api.startEdgeProxy({ config, log: memoryLogger() });
      try {
        expect(Object.keys(proxy).sort()).toEqual(['adminUrl', 'close', 'config', 'https', 'lambdaUrl', 'url']);
        expect(proxy.https).toBeUndefined();
        expect((await send(proxy.url, '/a')).status).toBe(200);
        expect(origin.hits).toBe(1);
      } finally {
        await proxy.close();
      }
    } finally {
      await origin.close();
    }
  });
});
