import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A configuration problem: lists every bad variable at once so an operator fixes them in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves `NAME_FILE` variables: when `NAME` is unset and `NAME_FILE` names a file, the
 * file's content (trailing newline trimmed) becomes `NAME`. This is how Kubernetes and
 * Docker secrets are mounted; the secret never has to sit in the environment.
 */
export function resolveFileVariables(
  env: Env,
  names: readonly string[],
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): {
  env: Record<string, string | undefined>;
  problems: string[];
} {
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  // Only the app's own variables: other tools' *_FILE variables in the environment are not ours.
  for (const name of names) {
    const key = `${name}_FILE`;
    const path = env[key];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name}: set both ${name} and ${key}; use one`);
      continue;
    }
    try {
      resolved[name] = readFile(path).replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(`${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  return { env: resolved, problems };
}

/**
 * Parses the environment with a zod schema whose keys are the variable names.
 * Empty strings count as unset, so `FOO=` falls back to the default.
 * Throws a ConfigError naming every invalid or missing variable.
 */
export function parseConfig<S extends z.ZodType<unknown, Record<string, unknown>>>(schema: S, env: Env): z.output<S> {
  const names = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  const { env: resolved, problems } = resolveFileVariables(env, names);
  const cleaned = Object.fromEntries(Object.entries(resolved).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.length > 0 ? issue.path.join('.') : '(config)';
      const received =
        issue.code === 'invalid_type' && cleaned[String(issue.path[0])] === undefined ? 'is required' : issue.message;
      problems.push(`${name}: ${received}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

/** The one place that reads process.env: apps call this from their config.ts. */
export function loadConfig<S extends z.ZodType<unknown, Record<string, unknown>>>(
  schema: S,
  env: Env = process.env,
): z.output<S> {
  return parseConfig(schema, env);
}
