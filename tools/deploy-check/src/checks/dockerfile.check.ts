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

/**
 * The basics of an app image: multi-stage, production dependencies only (`npm ci|install --omit=dev`), a final
 * stage that runs as a non-root user and starts `dist/apps/<app>/src/main.js`, and no HEALTHCHECK
 * (Kubernetes probes the health endpoints).
 */
export function checkDockerfile(subject: string, app: string, text: string): Finding[] {
  const out: Finding[] = [];
  const instructions = parseDockerfile(text);
  const stages = instructions.filter((i) => i.keyword === 'FROM').length;
  if (stages < 2) out.push(finding(CHECK, subject, `is not multi-stage (${stages} FROM)`));
  if (instructions.some((i) => i.keyword === 'HEALTHCHECK'))
    out.push(finding(CHECK, subject, 'has a HEALTHCHECK; Kubernetes probes the health endpoints instead'));
  if (!instructions.some((i) => i.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(i.args) && /--omit[= ]dev\b/.test(i.args))) {
    out.push(finding(CHECK, subject, 'never installs production dependencies only (npm ci|install --omit=dev)'));
  }
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  const finalStage = instructions.slice(lastFrom);
  const users = finalStage.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.args.split(':')[0]?.trim();
  if (user === undefined) out.push(finding(CHECK, subject, 'the final stage has no USER: it would run as root'));
  else if (user === 'root' || user === '0') out.push(finding(CHECK, subject, `the final stage runs as ${user}`));
  const start = finalStage
    .filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')
    .map((i) => i.args)
    .join(' ');
  if (!start.includes(`dist/apps/${app}/src/main.js`))
    out.push(finding(CHECK, subject, `does not start dist/apps/${app}/src/main.js`));
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
