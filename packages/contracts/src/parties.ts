import { z } from 'zod';

/**
 * Building blocks for people in events and in the APIs that collect them. An event version that uses
 * them is frozen by its committed JSON Schema, so changing one here shows up as a compatibility failure.
 */
export const personNameSchema = z.object({ given: z.string().min(1).max(100), family: z.string().min(1).max(100) }).strict();

export const contactSchema = z
  .object({ email: z.email(), phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone must be E.164, e.g. +919812345678') })
  .strict();

export const postalAddressSchema = z
  .object({
    line1: z.string().min(1).max(200),
    line2: z.string().max(200).optional(),
    city: z.string().min(1).max(100),
    region: z.string().max(100).optional(),
    postalCode: z.string().min(1).max(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'country must be ISO 3166-1 alpha-2'),
  })
  .strict();
