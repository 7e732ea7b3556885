/**
 * base^(p/q) in fixed point (value × scale), for 0 ≤ p, q ≥ 1: the integer q-th root of
 * base^p · scale^(q−p), by Newton's method from above. A float gives the starting point only;
 * the iteration is exact integer arithmetic and returns floor of the true value.
 * p may exceed q (an odd-day stub of 91 days in a 90-day quarter is 91/90 of a period): the root
 * is then taken c extra fixed-point places deep, so the exponent of scale stays whole.
 */
export function fixedPowFraction(base: bigint, p: bigint, q: bigint, scale: bigint): bigint {
  if (p === 0n) return scale;
  if (q === 1n) return base ** p / scale ** (p - 1n);
  const c = p > q ? (p - 1n) / q : 0n; // smallest c with q·(1 + c) ≥ p
  const target = base ** p * scale ** (q * (1n + c) - p);
  const deeper = scale ** c;
  return integerRoot(target, q, startAbove(base, p, q, scale) * deeper) / deeper;
}

function startAbove(base: bigint, p: bigint, q: bigint, scale: bigint): bigint {
  const ratio = Number((base * 1_000_000_000_000n) / scale) / 1e12;
  const guess = Math.pow(ratio, Number(p) / Number(q)) * (1 + 1e-9);
  // Guess × scale, assembled in two steps so a 1e30 scale does not lose the integer part.
  const hi = BigInt(Math.ceil(guess * 1e12));
  return (hi * scale) / 1_000_000_000_000n + 1n;
}

/** Largest x with x^q ≤ target, by Newton from a starting point above the root. */
export function integerRoot(target: bigint, q: bigint, start: bigint): bigint {
  let x = start;
  while (x ** q < target) x *= 2n; // make sure we start above
  for (let i = 0; i < 500; i += 1) {
    const next = ((q - 1n) * x + target / x ** (q - 1n)) / q;
    if (next >= x) break;
    x = next;
  }
  while (x ** q > target) x -= 1n;
  return x;
}
