import type { z } from 'zod';

/**
 * Parses a service's environment once at boot. A wrong value stops the process with one message
 * naming every offending variable (a deployment with several left empty learns them all at once),
 * rather than failing later somewhere far from the cause.
 */
export function parseEnv<S extends z.ZodType>(service: string, schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid ${service} configuration (${issues.length} setting${issues.length === 1 ? '' : 's'}): ${issues.join('; ')}`);
  }
  return parsed.data;
}
