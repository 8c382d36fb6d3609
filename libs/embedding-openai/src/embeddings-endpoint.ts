const AZURE_HOST = /\.(openai\.azure\.com|cognitiveservices\.azure\.com)$/i;
const AZURE_DEPLOYMENT_PATH = /\/openai\/deployments\/[^/]+$/;

/** True for Azure OpenAI resource hosts, which take the key in an `api-key` header. */
export function isAzureOpenAiHost(url: URL): boolean {
  return AZURE_HOST.test(url.hostname);
}

/**
 * The `/embeddings` endpoint for a configured base URL. Accepted forms:
 * - a server root: `http://ollama:11434`, `http://tei:8080` → `…/v1/embeddings`
 * - an API base ending in `/v1`: `https://api.openai.com/v1`, `http://vllm:8000/v1/` → `…/v1/embeddings`
 * - an Azure OpenAI resource root → `…/openai/v1/embeddings` (Azure's v1 API)
 * - an Azure deployment URL: `…/openai/deployments/<name>` → `…/openai/deployments/<name>/embeddings`
 * - the full endpoint ending in `/embeddings`, used as is.
 * Query parameters of the base URL are kept; `apiVersion` sets `api-version` (Azure's dated API versions).
 */
export function embeddingsEndpoint(baseUrl: string, apiVersion?: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`Embedding provider URL is not a valid absolute URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Embedding provider URL must be http(s), got ${url.protocol}`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/embeddings')) {
    url.pathname = path;
  } else if (path.endsWith('/v1') || AZURE_DEPLOYMENT_PATH.test(path)) {
    url.pathname = `${path}/embeddings`;
  } else if (path === '' && isAzureOpenAiHost(url)) {
    url.pathname = '/openai/v1/embeddings';
  } else {
    url.pathname = `${path}/v1/embeddings`;
  }
  if (apiVersion !== undefined) url.searchParams.set('api-version', apiVersion);
  url.hash = '';
  return url;
}
