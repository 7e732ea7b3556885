import { DEV_AUTH_TOKEN_SECRET, parseEnv } from '@lendstack/platform';
import { z } from 'zod';

/** Everything the console reads from its environment, parsed once at boot. */
const envSchema = z.object({
  CONSOLE_HOST: z.string().default('127.0.0.1'),
  CONSOLE_PORT: z.coerce.number().int().min(0).max(65_535).default(3003),
  // The APIs the console reads and writes with the signed-in user's own token (server side, no CORS).
  LOS_BASE_URL: z.url().default('http://127.0.0.1:3001'),
  LMS_BASE_URL: z.url().default('http://127.0.0.1:3002'),
  // Where a loan 360's workflow link points.
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  // The development sign-in form mints a staff token with this secret (the one the APIs verify). Off in
  // production: there staff paste a token from the identity provider.
  AUTH_TOKEN_SECRET: z.string().min(32).default(DEV_AUTH_TOKEN_SECRET),
  CONSOLE_DEV_SIGNIN: z.enum(['true', 'false']).optional(),
  NODE_ENV: z.string().default('development'),
  // Bound on each call to an API, so a slow service never hangs a page.
  CONSOLE_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
});

export type ConsoleConfig = z.infer<typeof envSchema> & { readonly devSignIn: boolean };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const parsed = parseEnv('console', envSchema, env);
  const devSignIn = parsed.CONSOLE_DEV_SIGNIN === undefined ? parsed.NODE_ENV !== 'production' : parsed.CONSOLE_DEV_SIGNIN === 'true';
  return { ...parsed, devSignIn };
}
