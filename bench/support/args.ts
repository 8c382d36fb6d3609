/** `--name value` from the command line, or undefined. */
export function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

export function numberArgument(name: string, fallback: number): number {
  const raw = argument(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return value;
}

export function listArgument(name: string, fallback: readonly string[]): string[] {
  const raw = argument(name);
  return raw === undefined
    ? [...fallback]
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}
