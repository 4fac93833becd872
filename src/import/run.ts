// What the CLI calls for an import: flags → imported config input + the not-emulated table lines,
// and the `edgeproxy config` command. Returns text; cli.ts prints and exits.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { readSource } from '../config/sources.js';
import type { ConfigInput } from '../config/schema.js';
import type { DistributionFlags } from './cli-args.js';
import { parseFunctionMap, parseKvsMap, parseOriginMap } from './flags.js';
import { importDistribution, type Imported } from './index.js';
import { formatNotEmulated } from './report.js';
import { policyFileJson } from './export-policies.js';
import { toDistributionConfig } from './to-distribution.js';

export async function importFromFlags(d: DistributionFlags): Promise<Imported & { tableLines: string[] }> {
  const imported = await importDistribution({
    file: d.file,
    originMap: parseOriginMap(d.originMap),
    functionMap: parseFunctionMap(d.functionMap),
    kvsMap: parseKvsMap(d.kvsMap),
    policyFiles: d.policyFile,
    ...(d.logicalId === undefined ? {} : { logicalId: d.logicalId }),
  });
  return { ...imported, tableLines: formatNotEmulated(imported.notEmulated) };
}

export async function runConfigCommand(cmd: {
  action: 'print' | 'to-distribution';
  configFile?: string;
  distribution?: DistributionFlags;
  /** Where --to-distribution writes the custom policies, as get-*-policy JSON files. */
  policyOut?: string;
}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let input: ConfigInput;
  let stderr = '';
  if (cmd.distribution !== undefined) {
    const imported = await importFromFlags(cmd.distribution);
    input = imported.config;
    if (imported.tableLines.length > 0) stderr += `${imported.tableLines.join('\n')}\n`;
    // Validate it as edgeproxy would at start, so a printed config is one that runs.
    await loadConfig({ object: input });
  } else {
    const src = await readSource({ file: cmd.configFile ?? '' });
    await loadConfig({ file: cmd.configFile ?? '' });
    input = src.raw as ConfigInput;
  }
  if (cmd.action === 'print') return { exitCode: 0, stdout: `${JSON.stringify(input, null, 2)}\n`, stderr };
  const baseDir = cmd.configFile === undefined ? process.cwd() : path.dirname(path.resolve(cmd.configFile));
  const back = toDistributionConfig(input, { exportPolicies: cmd.policyOut !== undefined, baseDir });
  if (cmd.policyOut !== undefined) {
    await mkdir(cmd.policyOut, { recursive: true });
    for (const p of back.policies) {
      const file = path.join(cmd.policyOut, `${p.kind}-${p.id}.json`);
      await writeFile(file, `${JSON.stringify(policyFileJson(p), null, 2)}\n`);
      stderr += `edgeproxy: wrote ${file}\n`;
    }
  }
  for (const n of back.notes) stderr += `edgeproxy: ${n}\n`;
  return { exitCode: 0, stdout: `${JSON.stringify({ DistributionConfig: back.distributionConfig }, null, 2)}\n`, stderr };
}
