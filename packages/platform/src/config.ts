import type { z } from 'zod';
import { formatIssues } from '@lendstack/contracts';

/**
 * Parses a service's environment once at boot. A wrong value stops the process with one message
 * naming the offending variables, rather than failing later somewhere far from the cause.
 */
export function parseEnv<S extends z.ZodType>(service: string, schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid ${service} configuration: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
