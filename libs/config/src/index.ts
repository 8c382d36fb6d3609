export { ConfigError, isLoopbackHost, loadConfig } from './load-config';
export { firstMatch, modelMatcher } from './model-pattern';
export { namespacePolicySchema, strataConfigSchema } from './strata-config';
export type { NamespacePolicyConfig, StrataConfig, StrataConfigInput } from './strata-config';
export { STRATA_CONFIG } from './config.token';
export { loadCliEnv } from './cli-env';
export type { CliEnv } from './cli-env';
