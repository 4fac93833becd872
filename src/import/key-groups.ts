// A behavior's TrustedKeyGroups → edgeproxy's keyGroups, publicKeys and behaviors[].trustedKeyGroups
// (docs/cloudfront-reference.md §15.1), each group and key defined once. The bodies come from the
// template (AWS::CloudFront::KeyGroup / PublicKey) or from --policy-file (the JSON of
// `aws cloudfront get-key-group` / `get-public-key`), which a get-distribution-config output needs:
// it names key groups only by ID.

import type { ConfigInput } from '../config/schema.js';
import type { MapContext, MapSink } from './context.js';
import { str, strings } from './json.js';

type KeyGroupDef = NonNullable<ConfigInput['keyGroups']>[number];
type PublicKeyDef = NonNullable<ConfigInput['publicKeys']>[number];

/** A template key's local ID: its logical id in CloudFront's ID alphabet (AWS assigns the real one at deploy). */
const localKeyId = (logicalId: string): string => logicalId.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 128) || 'KEY';

export class KeyGroupRegistry {
  readonly keyGroups: KeyGroupDef[] = [];
  readonly publicKeys: PublicKeyDef[] = [];
  private readonly groupIds = new Map<string, string>();
  private readonly keyIds = new Map<string, string>();

  constructor(
    private readonly ctx: MapContext,
    private readonly sink: MapSink,
  ) {}

  /** A TrustedKeyGroups entry (`cfn:LogicalId` or a key group ID) → the config's key group id. */
  group(ref: string, at: string): string | undefined {
    const known = this.groupIds.get(ref);
    if (known !== undefined) return known;
    const body = this.ctx.policies?.keyGroups?.get(ref);
    if (body === undefined) {
      this.sink.problem(
        ref.startsWith('cfn:')
          ? `${at}: key group ${ref.slice(4)} is not an AWS::CloudFront::KeyGroup of this template`
          : `${at}: key group "${ref}" is not defined in this file; supply it with --policy-file FILE (the JSON of aws cloudfront get-key-group --id ${ref})`,
      );
      return undefined;
    }
    const id = ref.startsWith('cfn:') ? ref.slice(4) : ref;
    const where = ref.startsWith('cfn:') ? `${ref.slice(4)}.KeyGroupConfig` : `key group ${ref}`;
    const keys = strings(body.Items).flatMap((k) => this.key(k, `${where}.Items`) ?? []);
    const def: KeyGroupDef = { id, items: keys };
    const name = str(body.Name);
    const comment = str(body.Comment);
    if (name !== undefined) def.name = name;
    if (comment !== undefined && comment !== '') def.comment = comment;
    this.groupIds.set(ref, id);
    this.keyGroups.push(def);
    return id;
  }

  private key(ref: string, at: string): string | undefined {
    const known = this.keyIds.get(ref);
    if (known !== undefined) return known;
    const body = this.ctx.policies?.publicKeys?.get(ref);
    const encodedKey = str(body?.EncodedKey);
    if (body === undefined || encodedKey === undefined) {
      this.sink.problem(
        ref.startsWith('cfn:')
          ? `${at}: public key ${ref.slice(4)} is not an AWS::CloudFront::PublicKey of this template with an EncodedKey`
          : `${at}: public key "${ref}" is not defined in this file; supply it with --policy-file FILE (the JSON of aws cloudfront get-public-key --id ${ref})`,
      );
      return undefined;
    }
    const id = ref.startsWith('cfn:') ? localKeyId(ref.slice(4)) : ref;
    if (ref.startsWith('cfn:')) this.sink.note(`${ref.slice(4)}.PublicKeyConfig`, str(body.Name) ?? ref.slice(4), `signed URLs name it Key-Pair-Id=${id} locally (AWS assigns the real ID at deploy)`);
    const def: PublicKeyDef = { id, encodedKey };
    const name = str(body.Name);
    const comment = str(body.Comment);
    if (name !== undefined) def.name = name;
    if (comment !== undefined && comment !== '') def.comment = comment;
    this.keyIds.set(ref, id);
    this.publicKeys.push(def);
    return id;
  }
}
