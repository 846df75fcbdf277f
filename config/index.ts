/** The configuration: its schema, parser, file loading, regions and the reference docs. Import from here, not a file. */
export { CONFIG_FIELDS, CONFIG_PROPS, ENDPOINT_VPC_PROPS, SOURCE_ACCOUNT_PROPS, MAX_FILTER_RULES_PER_DIRECTION, parsePortRange, type BackendConfig, type ConfigKey, type MirroringConfig, type SourceAccount } from './schema';
export * from './parse';
export * from './load';
export * from './docs';
export { show } from './show';
export * from './config-file';
export * from './regions';
export { sourceStackName } from './source-accounts';
export { configOfProps, propsOfConfig, withPropNames, type PropKey } from './props';
