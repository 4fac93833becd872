// The shapes of the distribution settings that are CloudFront API objects of their own: response
// headers policies and, for signed URLs and cookies, public keys and key groups. schema.ts composes
// them into the config; the resolvers (resolve/) check what crosses fields.

import { z } from 'zod';
import { nonEmpty } from './schema-blocks.js';

/** A custom response headers policy, in the API's ResponseHeadersPolicyConfig shape (docs/cloudfront-reference.md §13). */
const override = z.boolean();
export const responseHeadersPolicySchema = z.strictObject({
  name: nonEmpty.optional(),
  corsConfig: z
    .strictObject({
      accessControlAllowOrigins: z.array(nonEmpty).min(1, { error: 'must list at least one origin (or "*")' }),
      accessControlAllowHeaders: z.array(nonEmpty).optional(),
      accessControlAllowMethods: z.array(nonEmpty).optional(),
      accessControlAllowCredentials: z.boolean(),
      accessControlExposeHeaders: z.array(nonEmpty).optional(),
      accessControlMaxAgeSec: z.number().int({ error: 'must be a whole number of seconds' }).min(0, { error: 'must be ≥ 0 seconds' }).optional(),
      originOverride: override,
    })
    .optional(),
  securityHeadersConfig: z
    .strictObject({
      strictTransportSecurity: z
        .strictObject({
          accessControlMaxAgeSec: z.number().int({ error: 'must be a whole number of seconds' }).min(0, { error: 'must be ≥ 0 seconds' }),
          includeSubdomains: z.boolean().optional(),
          preload: z.boolean().optional(),
          override,
        })
        .optional(),
      contentSecurityPolicy: z.strictObject({ contentSecurityPolicy: nonEmpty, override }).optional(),
      contentTypeOptions: z.strictObject({ override }).optional(),
      frameOptions: z.strictObject({ frameOption: z.enum(['DENY', 'SAMEORIGIN']), override }).optional(),
      referrerPolicy: z.strictObject({ referrerPolicy: z.string(), override }).optional(),
      xssProtection: z
        .strictObject({ protection: z.boolean(), modeBlock: z.boolean().optional(), reportUri: nonEmpty.optional(), override })
        .optional(),
    })
    .optional(),
  customHeadersConfig: z.array(z.strictObject({ header: nonEmpty, value: z.string(), override })).optional(),
  removeHeadersConfig: z.array(nonEmpty).optional(),
  serverTimingHeadersConfig: z
    .strictObject({
      enabled: z.boolean(),
      samplingRate: z.number().min(0, { error: 'must be a percentage 0-100' }).max(100, { error: 'must be a percentage 0-100' }),
    })
    .optional(),
});
export type ResponseHeadersPolicyInput = z.output<typeof responseHeadersPolicySchema>;

/**
 * A public key for signed URLs and signed cookies, in the API's PublicKey shape (docs/cloudfront-reference.md §15.1):
 * `id` is what a signed URL names in Key-Pair-Id; the key is PEM, inline (EncodedKey) or in a file.
 */
export const publicKeySchema = z.strictObject({
  id: z.string().regex(/^[A-Z0-9]{1,128}$/, { error: 'must be uppercase letters and digits, like "K2JCJMDEHXQW5F" (a public key ID) or "APKAEIBAERJR2EXAMPLE" (a legacy key pair ID)' }),
  name: nonEmpty.optional(),
  encodedKey: nonEmpty.optional(),
  file: nonEmpty.optional(),
  comment: z.string().max(128, { error: 'must be at most 128 characters' }).optional(),
});

/** A key group (KeyGroup: Id, KeyGroupConfig Name / Items / Comment): the public keys a behavior can trust (§15.1). */
export const keyGroupSchema = z.strictObject({
  id: nonEmpty,
  name: nonEmpty.optional(),
  items: z.array(nonEmpty).min(1, { error: 'must list at least one public key id' }),
  comment: z.string().max(128, { error: 'must be at most 128 characters' }).optional(),
});
