/** One problem found in the rendered manifests (or the Dockerfiles). */
export interface Finding {
  /** Which check found it, e.g. `schema`, `probes`, `selectors`. */
  readonly check: string;
  /** What it is about: `Deployment/strata/gateway`, `apps/gateway/Dockerfile`… */
  readonly subject: string;
  readonly message: string;
}

export function finding(check: string, subject: string, message: string): Finding {
  return { check, subject, message };
}

export function formatFinding(f: Finding): string {
  return `[${f.check}] ${f.subject}: ${f.message}`;
}
