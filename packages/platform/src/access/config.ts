import type pg from 'pg';
import { z } from 'zod';
import type { Scope } from './credentials.js';
import type { AccessOptions } from './install.js';

/**
 * The environment partner access reads, spread into each service's config schema. AUTH_ISSUER,
 * AUTH_JWKS_URL and AUTH_AUDIENCE name the lender's identity provider for staff tokens (RS256/ES256);
 * unset, staff use HS256 development tokens signed with AUTH_TOKEN_SECRET.
 */
export function accessEnv(service: 'los' | 'lms') {
  return {
    AUTH_TOKEN_ISSUER: z.string().min(1).default(`urn:lendstack:${service}`),
    AUTH_CLIENT_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    PARTNER_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
    AUTH_ISSUER: z.string().min(1).optional(),
    AUTH_JWKS_URL: z.string().url().optional(),
    AUTH_AUDIENCE: z.string().min(1).optional(),
  };
}

interface AccessEnv {
  readonly AUTH_TOKEN_SECRET: string;
  readonly AUTH_TOKEN_ISSUER: string;
  readonly AUTH_CLIENT_TOKEN_TTL_SECONDS: number;
  readonly PARTNER_RATE_LIMIT_PER_MINUTE: number;
  readonly AUTH_ISSUER?: string | undefined;
  readonly AUTH_JWKS_URL?: string | undefined;
  readonly AUTH_AUDIENCE?: string | undefined;
}

/** All three of AUTH_ISSUER, AUTH_JWKS_URL, AUTH_AUDIENCE, or none (a refinement for the config schema). */
export function externalIssuerComplete(config: Partial<Pick<AccessEnv, 'AUTH_ISSUER' | 'AUTH_JWKS_URL' | 'AUTH_AUDIENCE'>>): boolean {
  const set = [config.AUTH_ISSUER, config.AUTH_JWKS_URL, config.AUTH_AUDIENCE].filter((v) => v !== undefined).length;
  return set === 0 || set === 3;
}

export function accessOptionsOf(config: AccessEnv, pool: pg.Pool, partnerScopes: Readonly<Record<string, Scope>>): AccessOptions {
  return {
    pool,
    secret: config.AUTH_TOKEN_SECRET,
    issuer: config.AUTH_TOKEN_ISSUER,
    partnerScopes,
    defaultRatePerMinute: config.PARTNER_RATE_LIMIT_PER_MINUTE,
    tokenTtlSeconds: config.AUTH_CLIENT_TOKEN_TTL_SECONDS,
    ...(config.AUTH_ISSUER && config.AUTH_JWKS_URL && config.AUTH_AUDIENCE
      ? { external: { issuer: config.AUTH_ISSUER, jwksUrl: config.AUTH_JWKS_URL, audience: config.AUTH_AUDIENCE } }
      : {}),
  };
}
