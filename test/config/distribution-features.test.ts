// Config for origin groups (docs/cloudfront-reference.md §14), the viewer protocol policy and the
// HTTPS listener (§16), and geo restriction (§17): CloudFront's names, defaults, and one message per
// problem naming the field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeproxy-dist-'));
  await writeFile(path.join(dir, 'cert.pem'), 'not checked at load\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function problems(object: Record<string, unknown>): Promise<string> {
  try {
    await loadConfig({ object, baseDir: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const ORIGINS = [
  { id: 'a', url: 'http://127.0.0.1:3001' },
  { id: 'b', url: 'http://127.0.0.1:3002' },
];

describe('originGroups', () => {
  it('a behavior that names a group sends requests to its primary and fails over to its secondary', async () => {
    const c = await loadConfig({
      object: {
        origins: ORIGINS,
        originGroups: [{ id: 'ab', members: ['a', { originId: 'b' }], failoverCriteria: { statusCodes: [500, 503] } }],
        behaviors: [{ pathPattern: '*', origin: 'ab' }],
      },
    });
    const b = c.behaviors[0];
    expect(b?.originId).toBe('a');
    expect(b?.originGroupId).toBe('ab');
    expect(b?.failover?.origin.id).toBe('b');
    expect([...(b?.failover?.statusCodes ?? [])]).toEqual([500, 503]);
    expect(c.originGroups.get('ab')?.selectionCriteria).toBe('default');
  });

  it('a behavior without a group has no failover', async () => {
    const c = await loadConfig({ object: { origins: ORIGINS, behaviors: [{ pathPattern: '*', origin: 'b' }] } });
    expect(c.behaviors[0]?.failover).toBeUndefined();
    expect(c.originGroups.size).toBe(0);
  });

  it('names each field at fault', async () => {
    const msg = await problems({
      origins: ORIGINS,
      originGroups: [
        { id: 'one', members: ['a'], failoverCriteria: { statusCodes: [500] } },
        { id: 'bad', members: ['a', 'zz'], failoverCriteria: { statusCodes: [429, 500, 500] } },
        { id: 'same', members: ['a', 'a'], failoverCriteria: { statusCodes: [] } },
        { id: 'a', members: ['a', 'b'], failoverCriteria: { statusCodes: [502] } },
      ],
      behaviors: [{ pathPattern: '*', origin: 'nope' }],
    });
    expect(msg).toContain('originGroups[0].members: must list exactly two origin ids, the primary first');
    expect(msg).toContain('originGroups[1].members[1]: unknown origin id "zz"');
    expect(msg).toContain('originGroups[1].failoverCriteria.statusCodes[0]: CloudFront fails over only on 400, 403, 404, 416, 500, 502, 503, 504; got 429');
    expect(msg).toContain('originGroups[1].failoverCriteria.statusCodes[2]: duplicate status code 500');
    expect(msg).toContain('originGroups[2].members[1]: the secondary must differ from the primary ("a")');
    expect(msg).toContain('originGroups[2].failoverCriteria.statusCodes: must list at least one of');
    expect(msg).toContain('originGroups[3].id: "a" is already an origin id');
    expect(msg).toContain('behaviors[0].origin: unknown origin id "nope" (defined: "a", "b"; origin groups: "one", "bad", "same", "a")');
  });

  it('rejects an unknown selectionCriteria and a misspelt key', async () => {
    const msg = await problems({
      origins: ORIGINS,
      originGroups: [{ id: 'g', members: ['a', 'b'], failoverCriteria: { statusCodes: [500] }, selectionCriteria: 'fastest' }],
    });
    expect(msg).toContain('originGroups[0].selectionCriteria: must be one of "default", "media-quality-based"');
    const typo = await problems({ origins: ORIGINS, originGroups: [{ id: 'g', members: ['a', 'b'], failoverCriterias: { statusCodes: [500] } }] });
    expect(typo).toContain('originGroups[0]');
    expect(typo).toContain('failoverCriteria');
  });
});

describe('viewerProtocolPolicy and listen.https', () => {
  it('defaults to allow-all, HTTP/2 and no HTTPS listener', async () => {
    const c = await loadConfig({ object: { origins: ORIGINS.slice(0, 1) } });
    expect(c.behaviors[0]?.viewerProtocolPolicy).toBe('allow-all');
    expect(c.listen.https).toBeUndefined();
    expect(c.httpVersion).toBe('http2');
  });

  it('reads the policy per behavior, the listener with its files, and httpVersion', async () => {
    const c = await loadConfig({
      object: {
        origins: ORIGINS.slice(0, 1),
        listen: { host: '127.0.0.1', port: 0, https: { port: 0, cert: 'cert.pem', key: 'cert.pem' } },
        httpVersion: 'http1.1',
        behaviors: [{ pathPattern: '/secure/*', viewerProtocolPolicy: 'https-only' }, { pathPattern: '*', viewerProtocolPolicy: 'redirect-to-https' }],
      },
      baseDir: dir,
    });
    expect(c.behaviors.map((b) => b.viewerProtocolPolicy)).toEqual(['https-only', 'redirect-to-https']);
    expect(c.listen.https).toEqual({ host: '127.0.0.1', port: 0, certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'cert.pem') });
    expect(c.httpVersion).toBe('http1.1');
  });

  it('an empty https object is a self-signed listener on the default port', async () => {
    const c = await loadConfig({ object: { origins: ORIGINS.slice(0, 1), listen: { https: {} } } });
    expect(c.listen.https).toEqual({ host: '127.0.0.1', port: 8443, certFile: undefined, keyFile: undefined });
  });

  it('names each field at fault', async () => {
    const msg = await problems({
      origins: ORIGINS.slice(0, 1),
      listen: { https: { cert: 'cert.pem', port: 70000 } },
      httpVersion: 'http4',
      behaviors: [{ pathPattern: '*', viewerProtocolPolicy: 'https-please' }],
    });
    expect(msg).toContain('listen.https.port: must be a port number 0-65535');
    expect(msg).toContain('httpVersion: must be one of "http1.1", "http2", "http2and3", "http3"');
    expect(msg).toContain('behaviors[0].viewerProtocolPolicy: must be one of "allow-all", "redirect-to-https", "https-only"');
    const files = await problems({ origins: ORIGINS.slice(0, 1), listen: { https: { cert: 'cert.pem' } } });
    expect(files).toContain('listen.https.key: cert and key go together');
    const missing = await problems({ origins: ORIGINS.slice(0, 1), listen: { https: { cert: 'cert.pem', key: 'nokey.pem' } } });
    expect(missing).toContain(`listen.https.key: file not found: ${path.join(dir, 'nokey.pem')}`);
  });
});

describe('restrictions.geoRestriction', () => {
  it('defaults to none; reads an allow list and a block list', async () => {
    const none = await loadConfig({ object: { origins: ORIGINS.slice(0, 1) } });
    expect(none.geoRestriction).toEqual({ restrictionType: 'none' });
    const allow = await loadConfig({ object: { origins: ORIGINS.slice(0, 1), restrictions: { geoRestriction: { restrictionType: 'whitelist', locations: ['DE', 'FR'] } } } });
    expect(allow.geoRestriction.restrictionType).toBe('whitelist');
    expect(allow.geoRestriction.restrictionType !== 'none' && [...allow.geoRestriction.locations]).toEqual(['DE', 'FR']);
  });

  it('names each field at fault', async () => {
    const msg = await problems({ origins: ORIGINS.slice(0, 1), restrictions: { geoRestriction: { restrictionType: 'blacklist', locations: ['de', 'FR', 'FR', 'GER'] } } });
    expect(msg).toContain('restrictions.geoRestriction.locations[0]: must be an ISO 3166-1 alpha-2 country code in upper case, like "DE"; got "de"');
    expect(msg).toContain('restrictions.geoRestriction.locations[2]: duplicate country code "FR"');
    expect(msg).toContain('restrictions.geoRestriction.locations[3]: must be an ISO 3166-1 alpha-2 country code');
    const empty = await problems({ origins: ORIGINS.slice(0, 1), restrictions: { geoRestriction: { restrictionType: 'whitelist' } } });
    expect(empty).toContain('restrictions.geoRestriction.locations: must list at least one country code when restrictionType is "whitelist"');
    const none = await problems({ origins: ORIGINS.slice(0, 1), restrictions: { geoRestriction: { restrictionType: 'none', locations: ['DE'] } } });
    expect(none).toContain('restrictions.geoRestriction.locations: must be empty when restrictionType is "none"');
    const type = await problems({ origins: ORIGINS.slice(0, 1), restrictions: { geoRestriction: { restrictionType: 'allow' } } });
    expect(type).toContain('restrictions.geoRestriction.restrictionType: must be one of "none", "whitelist", "blacklist"');
  });
});
