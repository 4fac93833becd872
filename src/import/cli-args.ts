// The import's command-line options: `--distribution FILE` with `--origin-map`, `--function-map`,
// `--kvs-map`, `--policy-file` and `--logical-id` for serving, and the `edgeproxy config --print | --to-distribution` command.
// Pure like cli-args.ts: never prints, never exits.

import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';

export interface DistributionFlags {
  file: string;
  originMap: string[];
  functionMap: string[];
  kvsMap: string[];
  policyFile: string[];
  logicalId?: string;
}

export const IMPORT_OPTIONS = {
  distribution: { type: 'string' },
  'origin-map': { type: 'string', multiple: true },
  'function-map': { type: 'string', multiple: true },
  'kvs-map': { type: 'string', multiple: true },
  'policy-file': { type: 'string', multiple: true },
  'logical-id': { type: 'string' },
} as const;

export const IMPORT_HELP = `  --distribution FILE         run a CloudFront distribution: aws cloudfront get-distribution-config
                              output, a DistributionConfig, or a CloudFormation template (JSON/YAML,
                              e.g. cdk.out/*.template.json); see docs/import.md
  --origin-map DOMAIN=URL     the local URL for an origin's DomainName (or Id); repeatable, or a
                              JSON file { "DOMAIN": "URL" }
  --function-map ARN=FILE     local code for a Lambda@Edge or CloudFront Function ARN whose code is
                              not in the template; FILE[#export]; repeatable, or a JSON file
  --kvs-map NAME=FILE         a key value store's data (CloudFront's import format), keyed by the
                              store's name, logical id or ARN, or by a CloudFront Function's ARN
  --policy-file FILE|DIR      custom policies by ID: the JSON of aws cloudfront get-cache-policy,
                              get-origin-request-policy or get-response-headers-policy; repeatable
  --logical-id ID             which AWS::CloudFront::Distribution of a template
`;

export const CONFIG_HELP = `edgeproxy config: show the edgeproxy config an import resolves to, or convert a config back

Usage:
  edgeproxy config --print --distribution FILE [--origin-map DOMAIN=URL]... [--function-map ARN=FILE]...
                   [--kvs-map NAME=FILE]... [--policy-file FILE]...
  edgeproxy config --to-distribution --config edgeproxy.config.json [--policy-out DIR]

--print writes the resolved edgeproxy config (JSON, ready to save and edit) to stdout and the
not-emulated table to stderr. --to-distribution writes a DistributionConfig (the fields both have)
to stdout; --policy-out DIR writes its custom policies there as get-*-policy JSON files (import them
again with --policy-file DIR). See docs/import.md.
`;

interface ImportValues {
  distribution?: string | undefined;
  'origin-map'?: string[] | undefined;
  'function-map'?: string[] | undefined;
  'kvs-map'?: string[] | undefined;
  'policy-file'?: string[] | undefined;
  'logical-id'?: string | undefined;
}

/** The import flags from parsed argv; `--origin-map` and friends need `--distribution`. */
export function readDistributionFlags(values: ImportValues, hasConfigFile: boolean): DistributionFlags | undefined {
  const file = values.distribution;
  if (file === undefined) {
    for (const f of ['origin-map', 'function-map', 'kvs-map', 'policy-file', 'logical-id'] as const) {
      if (values[f] !== undefined) throw new ConfigError('UsageError', `--${f}: needs --distribution FILE`);
    }
    return undefined;
  }
  if (file.trim() === '') throw new ConfigError('UsageError', '--distribution: must not be empty');
  if (hasConfigFile) throw new ConfigError('UsageError', '--distribution: cannot be combined with --config (save an import with edgeproxy config --print, then use --config)');
  const d: DistributionFlags = {
    file,
    originMap: values['origin-map'] ?? [],
    functionMap: values['function-map'] ?? [],
    kvsMap: values['kvs-map'] ?? [],
    policyFile: values['policy-file'] ?? [],
  };
  if (values['logical-id'] !== undefined) d.logicalId = values['logical-id'];
  return d;
}

type ConfigCommand =
  | { kind: 'help'; topic: 'config' }
  | { kind: 'config'; action: 'print' | 'to-distribution'; configFile?: string; distribution?: DistributionFlags; policyOut?: string };

const CONFIG_OPTIONS = {
  ...IMPORT_OPTIONS,
  print: { type: 'boolean' },
  'to-distribution': { type: 'boolean' },
  'policy-out': { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseConfigCommand(rest: string[]): ConfigCommand {
  let values: ReturnType<typeof parseArgs<{ options: typeof CONFIG_OPTIONS; strict: true; allowPositionals: false }>>['values'];
  try {
    ({ values } = parseArgs({ args: rest, options: CONFIG_OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', topic: 'config' };
    throw new ConfigError('UsageError', `config: ${e instanceof Error ? e.message : String(e)} (see edgeproxy config --help)`);
  }
  if (values.help === true) return { kind: 'help', topic: 'config' };
  const print = values.print === true;
  const back = values['to-distribution'] === true;
  if (print === back) throw new ConfigError('UsageError', 'config: give exactly one of --print or --to-distribution (see edgeproxy config --help)');
  const distribution = readDistributionFlags(values, values.config !== undefined);
  const cmd: ConfigCommand = { kind: 'config', action: print ? 'print' : 'to-distribution' };
  if (values.config !== undefined) cmd.configFile = values.config;
  if (distribution !== undefined) cmd.distribution = distribution;
  if (values['policy-out'] !== undefined) {
    if (print) throw new ConfigError('UsageError', 'config: --policy-out goes with --to-distribution');
    if (values['policy-out'].trim() === '') throw new ConfigError('UsageError', '--policy-out: must not be empty');
    cmd.policyOut = values['policy-out'];
  }
  if (cmd.configFile === undefined && distribution === undefined) throw new ConfigError('UsageError', 'config: give --distribution FILE or --config FILE');
  return cmd;
}
