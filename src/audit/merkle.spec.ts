import { createHash } from 'node:crypto';
import { consistencyRanges, evaluate, inclusionRanges, leafHash, MerkleFrontier, nodeHash, rangeExpr, subtreeKey, subtreesOf } from './merkle';

/** MTH straight from RFC 9162 2.1.1, recursively over the leaf hashes. */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('the Merkle tree', () => {
  const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const stored = new Map<string, Buffer>();
  const frontier = MerkleFrontier.empty();
  const roots: Buffer[] = [mth([])];
  for (const leaf of leaves) {
    stored.set(subtreeKey({ level: 0, index: frontier.treeSize }), leaf);
    frontier.append(leaf, (level, index, hash) => stored.set(subtreeKey({ level, index }), hash));
    roots.push(frontier.root());
  }
  const hashOf = (start: bigint, end: bigint): Buffer => evaluate(rangeExpr(start, end), stored);

  it('gives the RFC root at every size, and stores exactly the complete subtrees', () => {
    for (let n = 0; n <= leaves.length; n += 1) expect(roots[n]!.equals(mth(leaves.slice(0, n)))).toBe(true);
    expect([...stored.keys()].filter((key) => !key.startsWith('0:'))).toHaveLength(70 - 3); // n − popcount(70)
    expect(MerkleFrontier.of(70n, stored).root().equals(roots[70]!)).toBe(true);
  });

  it('computes any range from stored subtrees, as MTH of its leaves', () => {
    for (const [start, end] of [
      [0, 70],
      [64, 70],
      [32, 69],
      [5, 6],
      [16, 32],
    ] as const) {
      expect(hashOf(BigInt(start), BigInt(end)).equals(mth(leaves.slice(start, end)))).toBe(true);
      for (const ref of subtreesOf(rangeExpr(BigInt(start), BigInt(end)))) expect(stored.has(subtreeKey(ref))).toBe(true);
    }
  });

  it('builds inclusion paths of log2 length and consistency proofs whose ranges fold back to both roots', () => {
    expect(inclusionRanges(5n, 8n)).toEqual([
      { start: 4n, end: 5n },
      { start: 6n, end: 8n },
      { start: 0n, end: 4n },
    ]);
    expect(consistencyRanges(3n, 7n)).toEqual([
      { start: 2n, end: 3n },
      { start: 3n, end: 4n },
      { start: 0n, end: 2n },
      { start: 4n, end: 7n },
    ]);
    expect(consistencyRanges(4n, 7n)).toEqual([{ start: 4n, end: 7n }]);
    expect(consistencyRanges(7n, 7n)).toEqual([]);
  });
});
