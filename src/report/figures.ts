/** How the report and the pool explorer write a figure (no Node import: the explorer runs in the page). */

/**
 * A utilisation (0..100) to one decimal, rounded down: a pool that failed at 99.96 % reads 99.9 %,
 * not 100.0 %, which would say it was full (the 1e-9 keeps 97.3 from flooring to 97.2). A share
 * the rounding would hide reads `< 0.1`; with the counts, so does a pool whose free addresses are
 * too few for the percentage (an IPv6 /32 short of one address is 100 as a double): `> 99.9`.
 */
export function utilisationText(value: number, counts?: { allocated: bigint; free: bigint }): string {
  const text = (Math.floor(Number(value) * 10 + 1e-9) / 10).toFixed(1);
  if (text === '0.0' && (counts ? counts.allocated > 0n : value > 0)) return '< 0.1';
  if (text === '100.0' && counts !== undefined && counts.free > 0n) return '> 99.9';
  return text;
}
