/** DI token of the parsed `StrataConfig`, bound by the runtime in every service module. */
export const STRATA_CONFIG = Symbol('StrataConfig');
