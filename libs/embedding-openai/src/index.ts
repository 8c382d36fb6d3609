export { OpenAiCompatibleProvider } from './openai-compatible.provider';
export type { OpenAiCompatibleProviderOptions, ProviderRetryEvent } from './openai-compatible-provider.options';
