/** Reading a sandbox's environment (its defaults.ts): bounded integers that fail loudly, naming the variable. */

/** `value` as an integer in [min, max]; `fallback` when unset or empty; otherwise an Error naming `name`. */
export const envInt = (value: string | undefined, fallback: number, min: number, max: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return n;
};
