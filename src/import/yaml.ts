// CloudFormation YAML: the short-form intrinsics (`!Ref X`, `!GetAtt A.B`, `!Sub "..."`, `!Join`, …)
// become their long JSON forms (`{ "Ref": "X" }`), so the resolver reads one shape. AWS CloudFormation
// User Guide, "Intrinsic function reference" (short form syntax).

import { parse, type ScalarTag, type CollectionTag } from 'yaml';
import { ConfigError } from '../config/errors.js';

const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Condition', 'GetAtt', 'Ref'] as const;

function longName(short: string): string {
  return short === 'Ref' || short === 'Condition' ? short : `Fn::${short}`;
}

function tags(): Array<ScalarTag | CollectionTag> {
  const out: Array<ScalarTag | CollectionTag> = [];
  for (const f of FUNCTIONS) {
    const key = longName(f);
    out.push({
      tag: `!${f}`,
      resolve: (value: string) => ({ [key]: f === 'GetAtt' ? value.split('.') : value }),
    } as ScalarTag);
    for (const collection of ['seq', 'map'] as const) {
      out.push({
        tag: `!${f}`,
        collection,
        resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }),
      } as unknown as CollectionTag);
    }
  }
  return out;
}

export function parseTemplateText(text: string, label: string): unknown {
  try {
    return parse(text, { customTags: tags(), maxAliasCount: 1000 }) as unknown;
  } catch (e) {
    throw new ConfigError('ConfigFileUnreadable', `${label}: invalid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}
