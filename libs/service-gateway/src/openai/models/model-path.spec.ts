import { ErrorCode, StrataError } from '@strata/contracts';
import { modelPath, modelsUrl } from './model-path';

const BASE = 'https://api.example.com/v1';

function rejection(id: string): unknown {
  try {
    modelPath(id);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe(modelPath.name, () => {
  it.each(['gpt-4o-mini', 'meta-llama/Llama-3.1-8B', 'ft:gpt-4o-mini:acme:v2:abc123', 'model.v1'])(
    'keeps a real model id %s under /models',
    (id) => {
      const url = modelsUrl(BASE, modelPath(id));
      expect(url.pathname.startsWith('/v1/models/')).toBe(true);
      expect(decodeURIComponent(url.pathname.slice('/v1/models/'.length))).toBe(id);
    },
  );

  // What the controller hands over for /v1/models/..%2F..%2Fcount, %2e%2e/, %252F (decoded twice), and friends.
  it.each([
    '../../count',
    '../count',
    '..',
    '.',
    'a/../../count',
    'a//b',
    '/count',
    'a/',
    '..\\..\\count',
    '%2e%2e%2fcount',
    'a%2Fb',
    'a?x=1',
    'a#b',
    'a\u0000b',
    'a\nb',
    '',
  ])('refuses %j with a 400 invalid_request', (id) => {
    const error = rejection(id);
    expect(error).toBeInstanceOf(StrataError);
    expect((error as StrataError).code).toBe(ErrorCode.InvalidRequest);
  });

  it('refuses an id longer than 256 characters', () => {
    expect((rejection('m'.repeat(257)) as StrataError).code).toBe(ErrorCode.InvalidRequest);
  });
});

describe(modelsUrl.name, () => {
  it('refuses a path that a URL parser would move out of /models', () => {
    expect(() => modelsUrl(BASE, '/models/../count')).toThrow(StrataError);
    expect(() => modelsUrl(BASE, '/count')).toThrow(StrataError);
  });

  it('keeps the base path of an upstream mounted under a prefix', () => {
    expect(modelsUrl('http://proxy.internal/openai/v1', '/models/gpt-4o').pathname).toBe('/openai/v1/models/gpt-4o');
  });
});
