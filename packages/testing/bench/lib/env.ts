/** An integer setting of a bench from the environment, within [min, max]; anything else stops the bench naming it. */
export function intEnv(name: string, fallback: number, min = 1, max = 1_000_000): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got ${process.env[name]}`);
  return value;
}
