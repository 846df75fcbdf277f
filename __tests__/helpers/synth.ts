import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import type { MirroringConfig } from '../../config';
import { configOf } from './base-config';
import { MirroringStack } from '../../stacks/mirroring-stack';

export { BASE_CONFIG, configOf } from './base-config';

export interface SynthResult {
  /** The stack's folder: cdktf.out/stacks/<StackName> equivalent. */
  readonly stackDir: string;
  /** The parsed cdk.tf.json. */
  readonly json: TerraformJson;
  /** The raw cdk.tf.json text. */
  readonly text: string;
}

 
export type TerraformJson = { resource: Record<string, Record<string, any>>; [key: string]: any };

/** Synthesizes BASE_CONFIG with overrides into a fresh temporary cdktf.out and reads the stack back. */
export function synthConfig(overrides: Record<string, unknown> = {}, outdir?: string): SynthResult {
  return synthValidated(configOf(overrides), outdir);
}

/** Synthesizes a validated configuration into a fresh temporary cdktf.out and reads the stack back. */
export function synthValidated(config: MirroringConfig, outdir = mkdtempSync(join(tmpdir(), 'cdktf-out-'))): SynthResult {
  const app = new App({ outdir });
  new MirroringStack(app, { config });
  app.synth();
  const stackDir = join(outdir, 'stacks', config.StackName);
  const text = readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8');
  return { stackDir, json: JSON.parse(text) as TerraformJson, text };
}

/** The one resource of a type at an address, failing loudly when absent. */
 
export function resource(json: TerraformJson, type: string, name: string): any {
  const found = json.resource[type]?.[name];
  if (!found) throw new Error(`no ${type}.${name}; have ${Object.keys(json.resource[type] ?? {}).join(', ') || 'none of that type'}`);
  // cdktf's "//" metadata (construct path) is not a setting.
  const { '//': _metadata, ...settings } = found;
  return settings;
}

/** Every resource address (`type.name`) of a synthesized stack, sorted. */
export function resourceAddresses(json: TerraformJson): string[] {
  return Object.entries(json.resource)
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();
}

/** Every file under a folder (path relative to it) with its content in base64: compares folders byte for byte. */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        return [path.slice(dir.length), readFileSync(path).toString('base64')];
      }),
  );
}

/** The user data script of a synthesized launch template whose bundle bucket's name Terraform puts in
 * (modules/bootstrap-bundle.ts): the script as rendered, with the placeholder, and the bucket it names. */
export function userDataOf(launchTemplate: { user_data: string }): { script: string; bucket: string } {
  const m = /^\$\{base64gzip\(replace\(base64decode\("([A-Za-z0-9+/=]+)"\), "__TRACEABLE_BUNDLE_BUCKET__", (aws_s3_bucket\.\w+)\.bucket\)\)\}$/.exec(
    launchTemplate.user_data,
  );
  if (!m) throw new Error(`user data is not the bundle expression: ${launchTemplate.user_data.slice(0, 120)}`);
  return { script: Buffer.from(m[1], 'base64').toString('utf8'), bucket: m[2] };
}

/** The script a synthesized launch template carries, as rendered (the bundle bucket's name still the placeholder). */
export function userDataScript(launchTemplate: { user_data: string }): string {
  return userDataOf(launchTemplate).script;
}
