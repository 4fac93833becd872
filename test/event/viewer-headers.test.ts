import { describe, expect, it } from 'vitest';
import type { CachePolicy, ResolvedBehavior } from '../../src/config/types.js';
import { rawToCfHeaders } from '../../src/event/headers.js';
import { cloudFrontViewerHeaders, deviceFlags, viewerHeadersFromRaw, wantedCloudFrontHeaders } from '../../src/event/viewer-headers.js';

const UA = {
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  androidPhone: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
  androidTablet: 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  desktop: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  tv: 'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0 TV Safari/537.36',
  curl: 'curl/8.5.0',
};

describe('deviceFlags heuristics', () => {
  it.each([
    ['iphone', { android: false, ios: true, mobile: true, tablet: false, smarttv: false, desktop: false }],
    ['ipad', { android: false, ios: true, mobile: false, tablet: true, smarttv: false, desktop: false }],
    ['androidPhone', { android: true, ios: false, mobile: true, tablet: false, smarttv: false, desktop: false }],
    ['androidTablet', { android: true, ios: false, mobile: false, tablet: true, smarttv: false, desktop: false }],
    ['desktop', { android: false, ios: false, mobile: false, tablet: false, smarttv: false, desktop: true }],
    ['tv', { android: false, ios: false, mobile: false, tablet: false, smarttv: true, desktop: false }],
    ['curl', { android: false, ios: false, mobile: false, tablet: false, smarttv: false, desktop: true }],
  ] as const)('%s', (name, flags) => {
    expect(deviceFlags(UA[name])).toEqual(flags);
  });
  it('no User-Agent counts as desktop', () => {
    expect(deviceFlags(undefined).desktop).toBe(true);
  });
});

function behavior(cp: CachePolicy['headers'], orp?: NonNullable<ResolvedBehavior['originRequestPolicy']>['headers']): ResolvedBehavior {
  const none = { behavior: 'none' } as const;
  return {
    pathPattern: '*',
    matches: () => true,
    originId: 'o',
    functions: {},
    cachePolicy: { name: 'cp', minTTL: 0, defaultTTL: 0, maxTTL: 0, queryStrings: none, headers: cp, cookies: none, enableAcceptEncodingGzip: false, enableAcceptEncodingBrotli: false },
    originRequestPolicy: orp === undefined ? undefined : { name: 'orp', queryStrings: none, headers: orp, cookies: none },
    compress: false,
    allowedMethods: ['GET', 'HEAD'],
    cachedMethods: ['GET', 'HEAD'],
  };
}

describe('wantedCloudFrontHeaders', () => {
  it('collects CloudFront-* names from both policies, lowercase, once', () => {
    const b = behavior(
      { behavior: 'whitelist', names: ['cloudfront-viewer-country', 'accept'] },
      { behavior: 'allViewerAndWhitelistCloudFront', names: ['CloudFront-Viewer-Address', 'cloudfront-viewer-country'] },
    );
    expect(wantedCloudFrontHeaders(b)).toEqual(['cloudfront-viewer-country', 'cloudfront-viewer-address']);
  });
  it('allViewer and allExcept forward no CloudFront-generated headers', () => {
    expect(wantedCloudFrontHeaders(behavior({ behavior: 'none' }, { behavior: 'allViewer' }))).toEqual([]);
    expect(wantedCloudFrontHeaders(behavior({ behavior: 'none' }, { behavior: 'allExcept', names: ['cloudfront-viewer-country'] }))).toEqual([]);
    expect(wantedCloudFrontHeaders(behavior({ behavior: 'none' }))).toEqual([]);
  });
});

describe('viewerHeadersFromRaw', () => {
  it('leaves out every x-edgeproxy-* header and returns the overrides (first value wins)', () => {
    const { headers, overrides } = viewerHeadersFromRaw([
      'Host', 'a',
      'X-Edgeproxy-CloudFront-Viewer-Country', 'FR',
      'x-edgeproxy-cloudfront-viewer-country', 'DE',
      'x-edgeproxy-anything', '1',
      'X-Edge-Other', 'kept',
      'x-edgeproxyless', 'kept',
    ]);
    expect(overrides).toEqual({ 'cloudfront-viewer-country': 'FR', anything: '1' });
    // X-Edge-* is disallowed (docs/cloudfront-reference.md §3.1); x-edgeproxyless is not an override.
    expect(Object.keys(headers)).toEqual(['host', 'x-edgeproxyless']);
  });

  it('leaves out the disallowed headers (AWS rule: disallowed headers) without deleting', () => {
    const { headers } = viewerHeadersFromRaw(['Host', 'a', 'Connection', 'keep-alive', 'X-Amz-Cf-Id', 'x', 'Accept', '*/*', 'Keep-Alive', '5']);
    expect(Object.keys(headers)).toEqual(['host', 'accept']);
  });
});

describe('cloudFrontViewerHeaders (AWS rule: CloudFront-added viewer headers)', () => {
  const { headers } = viewerHeadersFromRaw(['Host', 'd.example', 'User-Agent', UA.iphone, 'Accept', '*/*', 'accept', 'text/html', 'X-Edgeproxy-Ignored', 'x']);
  const req = { headers, clientIp: '2001:db8::1', clientPort: 50123, httpVersion: '2.0', protocol: 'https' as const };

  it('computes what the request shows, with CloudFront spellings', () => {
    const wanted = [
      'cloudfront-is-mobile-viewer',
      'cloudfront-is-ios-viewer',
      'cloudfront-is-desktop-viewer',
      'cloudfront-viewer-address',
      'cloudfront-forwarded-proto',
      'cloudfront-viewer-http-version',
      'cloudfront-viewer-header-order',
      'cloudfront-viewer-header-count',
    ];
    expect(cloudFrontViewerHeaders(req, wanted, {})).toEqual({
      'cloudfront-is-mobile-viewer': [{ key: 'CloudFront-Is-Mobile-Viewer', value: 'true' }],
      'cloudfront-is-ios-viewer': [{ key: 'CloudFront-Is-IOS-Viewer', value: 'true' }],
      'cloudfront-is-desktop-viewer': [{ key: 'CloudFront-Is-Desktop-Viewer', value: 'false' }],
      'cloudfront-viewer-address': [{ key: 'CloudFront-Viewer-Address', value: '2001:db8::1:50123' }],
      'cloudfront-forwarded-proto': [{ key: 'CloudFront-Forwarded-Proto', value: 'https' }],
      'cloudfront-viewer-http-version': [{ key: 'CloudFront-Viewer-Http-Version', value: '2.0' }],
      'cloudfront-viewer-header-order': [{ key: 'CloudFront-Viewer-Header-Order', value: 'Host:User-Agent:Accept:accept' }],
      'cloudfront-viewer-header-count': [{ key: 'CloudFront-Viewer-Header-Count', value: '4' }],
    });
  });

  it('geo headers come only from overrides or injected values; overrides win', () => {
    const wanted = ['cloudfront-viewer-country', 'cloudfront-viewer-city', 'cloudfront-viewer-asn', 'cloudfront-is-mobile-viewer'];
    const out = cloudFrontViewerHeaders(req, wanted, { 'cloudfront-viewer-country': 'DE', 'cloudfront-viewer-city': 'Berlin', 'cloudfront-is-mobile-viewer': 'false' }, { 'cloudfront-viewer-country': 'FR' });
    expect(out['cloudfront-viewer-country']).toEqual([{ key: 'CloudFront-Viewer-Country', value: 'FR' }]);
    expect(out['cloudfront-viewer-city']).toEqual([{ key: 'CloudFront-Viewer-City', value: 'Berlin' }]);
    expect(out['cloudfront-viewer-asn']).toBeUndefined(); // nobody injected it
    expect(out['cloudfront-is-mobile-viewer']?.[0]?.value).toBe('false'); // config beats the heuristic
  });

  it('returns only what is wanted', () => {
    expect(cloudFrontViewerHeaders(req, [], { 'cloudfront-viewer-country': 'DE' })).toEqual({});
  });

  it('truncates Header-Order at 7,680 characters', () => {
    const raw: string[] = [];
    for (let i = 0; i < 800; i++) raw.push(`X-Header-Number-${i}`, 'v');
    const out = cloudFrontViewerHeaders({ ...req, headers: rawToCfHeaders(raw) }, ['cloudfront-viewer-header-order', 'cloudfront-viewer-header-count'], {});
    expect(out['cloudfront-viewer-header-order']?.[0]?.value.length).toBe(7680);
    expect(out['cloudfront-viewer-header-count']?.[0]?.value).toBe('800');
  });
});
