type CheckStatus = 'up' | 'down';

interface Check {
  readonly run: () => Promise<void>;
  /** A failing critical check makes the process not ready; a failing optional one makes it degraded. */
  readonly critical: boolean;
}

export interface HealthReport {
  readonly status: 'ok' | 'degraded' | 'down';
  readonly checks: Record<string, { status: CheckStatus; critical: boolean; error?: string }>;
}

const CHECK_TIMEOUT_MS = 1_000;

/**
 * Readiness checks of every service in the process. In the embedded default one `/health/ready`
 * therefore covers all four services; in distributed mode each service reports its own.
 */
export class HealthChecks {
  private static instance: HealthChecks | undefined;
  private readonly checks = new Map<string, Check>();

  static shared(): HealthChecks {
    HealthChecks.instance ??= new HealthChecks();
    return HealthChecks.instance;
  }

  register(name: string, run: () => Promise<void>, options: { critical: boolean }): void {
    this.checks.set(name, { run, critical: options.critical });
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  async report(): Promise<HealthReport> {
    const checks: HealthReport['checks'] = {};
    let status: HealthReport['status'] = 'ok';
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await withTimeout(check.run(), CHECK_TIMEOUT_MS);
          checks[name] = { status: 'up', critical: check.critical };
        } catch (error) {
          checks[name] = {
            status: 'down',
            critical: check.critical,
            error: error instanceof Error ? error.message : String(error),
          };
          if (check.critical) status = 'down';
          else if (status === 'ok') status = 'degraded';
        }
      }),
    );
    return { status, checks };
  }
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
