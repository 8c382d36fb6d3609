export {
  RESERVED_TAG_PREFIX,
  ageSeconds,
  entryTag,
  generationOf,
  isExpired,
  ttlRemainingSeconds,
} from './domain/cache-entry';
export { entryGenerationFields, purgeGenerationFields } from './domain/generation-fields';
export { PURGE_GENERATIONS } from './ports/purge-generations.port';
export type { PurgeGenerations } from './ports/purge-generations.port';
export type { CacheEntry } from './domain/cache-entry';
export { canonicalJson } from './keys/canonical-json';
export { normaliseText } from './keys/normalise-text';
export { sha256Hex } from './keys/sha256-hex';
export {
  KEY_SCHEME_VERSION,
  OUTPUT_NEUTRAL_PARAMS,
  contentText,
  entryIdFromKey,
  fingerprintRequest,
} from './keys/request-fingerprint';
export type { ChatMessageLike, FingerprintInput, RequestApi, RequestFingerprint } from './keys/request-fingerprint';
export { userScopeHash, userTag } from './keys/user-scope';
export { surrogateKeysOfEntry, surrogateKeysOfPurge } from './keys/surrogate-keys';
export { cacheability } from './policy/cacheability';
export type { Cacheability } from './policy/cacheability';
export { DEFAULT_NAMESPACE, NamespacePolicies, PRECISION_THRESHOLDS } from './policy/namespace-policy';
export type {
  NamespaceDefaults,
  NamespaceOverrides,
  NamespacePolicy,
  NamespaceScope,
  SemanticPrecision,
  TemperaturePolicy,
} from './policy/namespace-policy';
export { CACHE_TELEMETRY, NO_TELEMETRY } from './ports/cache-telemetry.port';
export type { CacheTelemetry, Tier, TierOutcome } from './ports/cache-telemetry.port';
export { EMBEDDER } from './ports/embedder.port';
export type { EmbedOptions, Embedder, Embedding } from './ports/embedder.port';
export { EXACT_STORE } from './ports/exact-store.port';
export type { ExactStore, PurgeSelector } from './ports/exact-store.port';
export { EXACT_READS, sequentialExactReads } from './ports/exact-reads.port';
export type { ExactRead, ExactReads, TicketedExactRead } from './ports/exact-reads.port';
export { MATCH_VERIFIER } from './ports/match-verifier.port';
export type { MatchExplanation, MatchVerdict, MatchVerifier } from './ports/match-verifier.port';
export { VECTOR_INDEX } from './ports/vector-index.port';
export type {
  SimilarEntry,
  SimilarSearch,
  VectorCandidate,
  VectorIndex,
  VectorSearch,
} from './ports/vector-index.port';
export { EntryQueryUseCase } from './use-cases/entry-query.use-case';
export { ContextsBeingWritten } from './use-cases/contexts-being-written';
export { DEFAULT_SEMANTIC_MARGIN, LookupUseCase, chooseSemanticHit } from './use-cases/lookup.use-case';
export type { LookupOptions, VerifiedCandidate } from './use-cases/lookup.use-case';
export { PurgeUseCase } from './use-cases/purge.use-case';
export { SEMANTIC_PURGE_MAX_ENTRIES, SemanticPurgeUseCase } from './use-cases/semantic-purge.use-case';
export type { SemanticPurgeCommand, SemanticPurgeOptions } from './use-cases/semantic-purge.use-case';
export { StoreUseCase, entryFromStoreRequest } from './use-cases/store.use-case';
export { HIT_VERDICTS, NO_TRUST } from './verification/hit-verdicts.port';
export type {
  AuditCounts,
  BandCounts,
  EntryTrust,
  HitVerdicts,
  NamespaceAudits,
  PairVerdict,
  TrustChange,
  VerdictState,
  VerdictSubject,
} from './verification/hit-verdicts.port';
export { MATCH_JUDGE } from './verification/match-judge.port';
export { chatCompletionsEndpoint, parseJudgeVerdict } from './verification/judge-verdict';
export type { JudgeAnswer, JudgeQuestion, JudgeUsage, MatchJudge } from './verification/match-judge.port';
export { NO_VERIFICATION_TELEMETRY, SemanticGate } from './verification/semantic-gate';
export type {
  BandState,
  GateCandidate,
  GateRequest,
  GatedCandidate,
  JudgePurpose,
  SemanticGateOptions,
  VerificationPolicy,
  VerificationSnapshot,
  VerificationTelemetry,
} from './verification/semantic-gate';
export { WrongHitBound, wilsonUpperBound } from './verification/wrong-hit-bound';
export type { WrongHitEstimate } from './verification/wrong-hit-bound';
export { type AuditResults, FeedbackUseCase } from './verification/feedback.use-case';
export { JudgeBudget } from './verification/judge-budget';
export { JudgeSpend } from './verification/judge-spend';
export type { JudgeSpendRow } from './verification/judge-spend';
export type { FeedbackOptions } from './verification/feedback.use-case';
export { ENTRY_CATALOG } from './ports/entry-catalog.port';
export type { CatalogFilter, CatalogPage, EntryCatalog, NamespaceCount } from './ports/entry-catalog.port';
export { ENTRY_POPULARITY } from './ports/entry-popularity.port';
export type { EntryHits, EntryPopularity, Popularity, RankedEntry } from './ports/entry-popularity.port';
export { WARM_RECORDINGS } from './ports/warm-recordings.port';
export type { SeenVersion, WarmRecording, WarmRecordings } from './ports/warm-recordings.port';
export { ListEntriesUseCase } from './use-cases/list-entries.use-case';
