/**
 * Loading configurations from files: one file (read safely by config-file.ts), or the files MIRRORING_CONFIG names,
 * with every file's problems reported at once.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFileProblem, DuplicateKeysProblem, SHOWN_PATH_ENDS, readConfigFile } from './config-file';
import { ConfigError, parseConfig, type ParsedConfig } from './parse';
import { keyPath, show } from './show';
import { sourceStackNameProblems } from './source-accounts';

/** The configuration the app (and its tools) use when MIRRORING_CONFIG is not set: the shipped example. */
export const DEFAULT_CONFIG_PATH = 'examples/config.json';

/** Reads and validates one configuration file. */
export function loadConfig(path: string): ParsedConfig {
  let raw: unknown;
  try {
    raw = readConfigFile(path);
  } catch (error) {
    if (error instanceof DuplicateKeysProblem) {
      throw new ConfigError(
        path,
        error.duplicates.map(({ path: at, omitted, key }) => `${keyPath([...at, key], omitted, SHOWN_PATH_ENDS)}: given twice in the file; expected each key once (JSON would silently keep the last value)`),
      );
    }
    if (error instanceof ConfigFileProblem) throw new ConfigError(path, [`cannot read the configuration: ${error.message}`]);
    throw error;
  }
  return parseConfig(raw, path);
}

/** One validated configuration file. */
export interface LoadedConfig extends ParsedConfig {
  readonly path: string;
}

/**
 * The configuration files that MIRRORING_CONFIG names: one file, a comma-separated list of files, or a directory
 * (its `*.json` files, sorted). One stack per file.
 */
export function resolveConfigPaths(spec: string): string[] {
  const named = spec.split(',').map((part) => part.trim()).filter((part) => part !== '');
  return named.flatMap((path) => {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      return [path]; // loadConfig reports the missing file
    }
    if (!isDirectory) return [path];
    return readdirSync(path).filter((name) => name.endsWith('.json')).sort().map((name) => join(path, name));
  });
}

/**
 * Loads and validates every configuration that MIRRORING_CONFIG names, reporting the problems of all files at once,
 * and refuses two configurations with the same StackName (they would share a stack folder and resource names).
 */
export function loadConfigs(spec: string): LoadedConfig[] {
  const paths = resolveConfigPaths(spec);
  if (paths.length === 0) throw new ConfigError(spec, ['MIRRORING_CONFIG names no configuration file (a directory needs *.json files)']);
  const loaded: LoadedConfig[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    try {
      loaded.push({ path, ...loadConfig(path) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => (paths.length > 1 ? `${path}: ${problem}` : problem)));
    }
  }
  // IAM names ignore case, so "Mirror" and "mirror" would collide there.
  const byStackName = new Map<string, LoadedConfig>();
  for (const current of loaded) {
    const first = byStackName.get(current.config.StackName.toLowerCase());
    if (first !== undefined) {
      problems.push(`${current.path}: StackName: got ${show(current.config.StackName)}; expected a name unique among the configurations, ignoring case as IAM does (${first.path} uses ${show(first.config.StackName)})`);
    } else byStackName.set(current.config.StackName.toLowerCase(), current);
  }
  problems.push(...sourceStackNameProblems(loaded));
  if (problems.length > 0) throw new ConfigError(paths.length > 1 ? spec : paths[0], problems);
  return loaded;
}
