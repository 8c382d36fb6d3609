// @ts-check
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Which kinds of project may depend on which (see docs/ARCHITECTURE.md, "Module map"). */
const typeConstraints = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:runtime',
      'type:feature',
      'type:cli',
      'type:config',
      'type:observability',
      'type:contracts',
    ],
  },
  { sourceTag: 'type:cli', onlyDependOnLibsWithTags: ['type:transport', 'type:config', 'type:contracts'] },
  {
    sourceTag: 'type:runtime',
    onlyDependOnLibsWithTags: [
      'type:feature',
      'type:adapter',
      'type:transport',
      'type:config',
      'type:observability',
      'type:contracts',
      'type:domain',
    ],
  },
  {
    sourceTag: 'type:feature',
    onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:config', 'type:observability', 'type:transport'],
  },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:config'] },
  { sourceTag: 'type:transport', onlyDependOnLibsWithTags: ['type:contracts', 'type:config', 'type:observability'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'] },
  { sourceTag: 'type:observability', onlyDependOnLibsWithTags: ['type:config'] },
  { sourceTag: 'type:config', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['*'] },
  {
    sourceTag: 'type:tool',
    onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:testing', 'type:adapter', 'type:config'],
  },
];

/**
 * Whose libs a project may use (see docs/ARCHITECTURE.md, "Module map"): a service's libs use their own and
 * the shared ones, and services meet through the ports in contracts. Every matching rule must hold.
 */
const scopeConstraints = [
  { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
  // The semantic verifier (cache's domain) reads word vectors through the embedding domain's port…
  { sourceTag: 'scope:cache', onlyDependOnLibsWithTags: ['scope:cache', 'scope:embedding', 'scope:shared'] },
  // …while the cache service reaches the embedding service through the `Embeddings` port only.
  { allSourceTags: ['scope:cache', 'type:feature'], onlyDependOnLibsWithTags: ['scope:cache', 'scope:shared'] },
  { sourceTag: 'scope:embedding', onlyDependOnLibsWithTags: ['scope:embedding', 'scope:shared'] },
  { sourceTag: 'scope:invalidation', onlyDependOnLibsWithTags: ['scope:invalidation', 'scope:shared'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:cli', 'scope:shared'] },
  // Shared adapters implement every service's ports, the composition root wires them, the testing lib tests them.
  {
    sourceTag: 'scope:shared',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:gateway', 'scope:cache', 'scope:embedding', 'scope:invalidation'],
  },
  // The shared domain (keys, namespace policy, the cache ports) belongs to no service.
  { allSourceTags: ['scope:shared', 'type:domain'], onlyDependOnLibsWithTags: ['scope:shared'] },
  {
    sourceTag: 'scope:tools',
    onlyDependOnLibsWithTags: ['scope:tools', 'scope:shared', 'scope:cache', 'scope:embedding'],
  },
];

const depConstraints = [...typeConstraints, ...scopeConstraints];

/** Infrastructure clients may only be imported by the adapter lib that wraps them. */
const clientOwners = {
  'libs/store-redis': ['redis', 'redis-om'],
  'libs/store-qdrant': ['@qdrant/js-client-rest'],
  'libs/transport': ['kafkajs'],
};
const allClients = Object.values(clientOwners).flat();
const restrictClients = (/** @type {string[]} */ pkgs) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: pkgs.map((name) => ({
        name,
        message: `Import ${name} only in its adapter lib; depend on the port instead.`,
      })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '.nx/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through @strata/config; process.env is read there only.',
        },
      ],
    },
  },
  {
    files: [
      'libs/config/**/*.ts',
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      'e2e/**/*.ts',
      'bench/**/*.ts',
      'tools/**/*.ts',
      '*.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', 'libs/*/test/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      // Tests of any project (and a lib's test/ support) may use the testing lib (contract suites, fakes) and
      // in-memory adapters.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            ...typeConstraints.map((c) => ({
              ...c,
              onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing', 'type:adapter'],
            })),
            ...scopeConstraints,
          ],
        },
      ],
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests inspect arbitrary JSON responses.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  { files: ['apps/**/*.ts', 'libs/**/*.ts'], rules: restrictClients(allClients) },
  ...Object.entries(clientOwners).map(([owner, own]) => ({
    files: [`${owner}/**/*.ts`],
    rules: restrictClients(allClients.filter((pkg) => !own.includes(pkg))),
  })),
);
