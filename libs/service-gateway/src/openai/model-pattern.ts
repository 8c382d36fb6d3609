/** The config's model-name patterns (moved to @strata/config: the cache service prices its judge by the same rule). */
export { firstMatch, modelMatcher } from '@strata/config';
