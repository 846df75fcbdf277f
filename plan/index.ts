/** The deployment plan: configuration in, every derived fact out, computed once (see plan.ts). */
export * from './plan';
export * from './source-accounts';
