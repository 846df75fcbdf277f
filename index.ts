/**
 * The package's entry point: the construct to embed in your own cdktf stack, the stack the JSON-configuration app
 * synthesizes, the configuration's parser and loader, and the deployment plan both are built from.
 */
export {
  TraceableTrafficMirroring,
  type FromConfigOptions,
  type SourceAccountProps,
  type TraceableTrafficMirroringOptions,
  type TraceableTrafficMirroringProps,
} from './modules/traceable-traffic-mirroring';
export { MirroringStack, type MirroringStackProps } from './stacks/mirroring-stack';
export { ConfigError, loadConfig, parseConfig, type LoadedConfig, type MirroringConfig, type ParsedConfig } from './config';
export { type MirrorSourceType } from './shared';
export {
  planDeployment,
  type DeploymentPlan,
  type FleetPlan,
  type OutputName,
  type OutputPlan,
  type SourcesPlan,
  type TokenSecretPlan,
} from './plan';
