import { ConfigError, loadConfig } from '@strata/config';
import { DEFAULT_HNSW_OPTIONS, MemoryVectorIndex } from '@strata/store-memory';
import { memoryVectorOptions } from './adapters';

describe(memoryVectorOptions.name, () => {
  it('gives the in-memory L3 the configured HNSW search width, links and cut-over', () => {
    const config = loadConfig({
      STRATA_MEMORY_MAX_ENTRIES: '5000',
      STRATA_MEMORY_ANN_MIN_ENTRIES: '1000',
      STRATA_MEMORY_HNSW_M: '12',
      STRATA_MEMORY_HNSW_EF_SEARCH: '64',
    });
    expect(memoryVectorOptions(config)).toEqual({
      maxEntries: 5000,
      annMinEntries: 1000,
      hnsw: { m: 12, efSearch: 64 },
    });
    expect(new MemoryVectorIndex(memoryVectorOptions(config)).efSearch).toBe(64);
  });

  it("leaves the store's own defaults in force when nothing is configured", () => {
    const index = new MemoryVectorIndex(memoryVectorOptions(loadConfig({})));
    expect(index.efSearch).toBe(DEFAULT_HNSW_OPTIONS.efSearch);
    expect(memoryVectorOptions(loadConfig({}))).toEqual({ maxEntries: 100_000, hnsw: {} });
  });

  it('refuses settings the graph cannot work with, naming the variable', () => {
    expect(() => loadConfig({ STRATA_MEMORY_HNSW_M: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ STRATA_MEMORY_HNSW_EF_SEARCH: '0' })).toThrow(/efSearch|EF_SEARCH/);
    expect(() => loadConfig({ STRATA_MEMORY_ANN_MIN_ENTRIES: 'many' })).toThrow(/STRATA_MEMORY_ANN_MIN_ENTRIES/);
  });
});
