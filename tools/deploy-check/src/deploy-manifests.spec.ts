import { join } from 'node:path';
import { formatFinding } from './checks/finding';
import { renderKustomization } from './kustomize/kustomize';
import { compareRenders, findRealKustomize } from './kustomize/real-kustomize';
import { runDeployCheck } from './run-checks';

const ROOT = join(__dirname, '../../..');

/** The real deploy/ tree, the Dockerfiles and the topic list: what CI gates on. */
describe(runDeployCheck.name, () => {
  it('finds no problem in deploy/, the Dockerfiles and the topic list', () => {
    const report = runDeployCheck({ root: ROOT });
    expect(report.overlays.map((o) => o.name)).toEqual(['dev', 'prod', 'prod-managed', 'prod-strimzi']);
    expect(report.errors.map(formatFinding)).toEqual([]);
  });

  const real = findRealKustomize();
  // kustomize is not a Debian or npm package: the cross-check runs where a kustomize v5 (or kubectl) is installed.
  (real ? it : it.skip)(`renders every overlay exactly like ${real?.label ?? 'kustomize v5 (not installed)'}`, () => {
    for (const overlay of ['dev', 'prod', 'prod-managed', 'prod-strimzi']) {
      const dir = join(ROOT, 'deploy', 'overlays', overlay);
      expect(compareRenders(renderKustomization(dir), real!.render(dir))).toEqual([]);
    }
  });
});
