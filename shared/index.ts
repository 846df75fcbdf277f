/**
 * The vocabulary shared by the configuration, the constructs, the session Lambda, the bootstrap and the doctor: each
 * fact defined once. Dependency-free (no cdktf, constructs, provider, zod or AWS SDK), so any of them may import it.
 */
export * from './cidr';
export * from './ec2-api';
export * from './host-settings';
export * from './instance-types';
export * from './metrics';
export * from './mirror-target-types';
export * from './names';
export * from './ports';
export * from './source-types';
export * from './tags';
export * from './token-secret';
