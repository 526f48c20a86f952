import { createHash, hash } from 'node:crypto';

/**
 * RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing and proofs, section 2.1.
 * Leaves and nodes are domain-separated (0x00 / 0x01 prefix) so a leaf can never pass for a node.
 */

const NODE_PREFIX = Buffer.from([1]);

/** MTH of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT = createHash('sha256').digest();

/** Reused by leafHash: 0x00 ‖ entry is written here and hashed in one call (no hash object, no copy per leaf). */
let leafScratch = Buffer.alloc(4096);

/** SHA-256(0x00 ‖ entry); a string entry is hashed as its UTF-8 bytes. */
export function leafHash(entry: Buffer | string): Buffer {
  // A string takes at most 3 UTF-8 bytes per UTF-16 unit.
  const room = 1 + (typeof entry === 'string' ? 3 * entry.length : entry.length);
  if (room > leafScratch.length) leafScratch = Buffer.alloc(2 * room);
  leafScratch[0] = 0;
  const length = typeof entry === 'string' ? leafScratch.write(entry, 1, 'utf8') : entry.copy(leafScratch, 1);
  return hash('sha256', leafScratch.subarray(0, length + 1), 'buffer');
}

const nodeScratch = Buffer.alloc(65);

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  // Stored hashes are 32 bytes; anything else (a damaged export) is hashed as it is.
  if (left.length !== 32 || right.length !== 32) return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  nodeScratch[0] = 1;
  left.copy(nodeScratch, 1);
  right.copy(nodeScratch, 33);
  return hash('sha256', nodeScratch, 'buffer');
}

/** The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: bigint): bigint {
  let k = 1n;
  while (k << 1n < n) k <<= 1n;
  return k;
}

/** A complete subtree: leaves [index·2^level, (index+1)·2^level). Level 0 is a leaf. */
export interface SubtreeRef {
  level: number;
  index: bigint;
}

export interface LeafRange {
  start: bigint;
  end: bigint;
}

/**
 * How MTH(D[start:end]) is computed from complete subtrees, following RFC 9162's split rule: a
 * binary expression tree whose leaves are complete aligned subtrees (stored), so any range a
 * proof needs costs one lookup per complete subtree.
 */
export type RangeExpr = { kind: 'subtree'; ref: SubtreeRef } | { kind: 'node'; left: RangeExpr; right: RangeExpr };

export function rangeExpr(start: bigint, end: bigint): RangeExpr {
  const size = end - start;
  if (size <= 0n) throw new Error(`empty range [${start}, ${end})`);
  if ((size & (size - 1n)) === 0n && start % size === 0n) {
    let level = 0;
    while (1n << BigInt(level) < size) level += 1;
    return { kind: 'subtree', ref: { level, index: start / size } };
  }
  const k = splitPoint(size);
  return { kind: 'node', left: rangeExpr(start, start + k), right: rangeExpr(start + k, end) };
}

export function subtreesOf(expr: RangeExpr, into: SubtreeRef[] = []): SubtreeRef[] {
  if (expr.kind === 'subtree') into.push(expr.ref);
  else {
    subtreesOf(expr.left, into);
    subtreesOf(expr.right, into);
  }
  return into;
}

export function subtreeKey(ref: SubtreeRef): string {
  return `${ref.level}:${ref.index}`;
}

export function evaluate(expr: RangeExpr, hashes: ReadonlyMap<string, Buffer>): Buffer {
  if (expr.kind === 'subtree') {
    const hash = hashes.get(subtreeKey(expr.ref));
    if (!hash) throw new Error(`subtree ${subtreeKey(expr.ref)} is not stored`);
    return hash;
  }
  return nodeHash(evaluate(expr.left, hashes), evaluate(expr.right, hashes));
}

/** RFC 9162 2.1.3.1: the ranges whose hashes form the inclusion proof of leaf m in a tree of n leaves, leaf upwards. */
export function inclusionRanges(m: bigint, n: bigint): LeafRange[] {
  if (m < 0n || m >= n) throw new Error(`leaf ${m} is not in a tree of ${n}`);
  const path: LeafRange[] = [];
  let start = 0n;
  let end = n;
  const stack: LeafRange[] = [];
  while (end - start > 1n) {
    const k = splitPoint(end - start);
    if (m < start + k) {
      stack.push({ start: start + k, end });
      end = start + k;
    } else {
      stack.push({ start, end: start + k });
      start += k;
    }
  }
  while (stack.length > 0) path.push(stack.pop()!);
  return path;
}

/** RFC 9162 2.1.4.1: the ranges whose hashes form the consistency proof between trees of m and n leaves (0 < m ≤ n). */
export function consistencyRanges(m: bigint, n: bigint): LeafRange[] {
  if (m <= 0n || m > n) throw new Error(`no consistency proof from ${m} to ${n}`);
  if (m === n) return [];
  return subproof(m, 0n, n, true);
}

function subproof(m: bigint, start: bigint, end: bigint, complete: boolean): LeafRange[] {
  const n = end - start;
  if (m === n) return complete ? [] : [{ start, end }];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(m, start, start + k, complete), { start: start + k, end }];
  return [...subproof(m - k, start + k, end, false), { start, end: start + k }];
}

/**
 * The right edge of a tree: the roots of its complete subtrees, largest first. Appending a leaf
 * merges equal-sized neighbours, and every merge yields a complete subtree to store.
 */
export class MerkleFrontier {
  private constructor(
    private size: bigint,
    private readonly stack: Array<{ level: number; hash: Buffer }>,
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0n, []);
  }

  /** The subtrees a frontier of `size` leaves is made of, largest first. */
  static refsFor(size: bigint): SubtreeRef[] {
    const refs: SubtreeRef[] = [];
    let offset = 0n;
    for (let level = 63; level >= 0; level -= 1) {
      const width = 1n << BigInt(level);
      if ((size & width) !== 0n) {
        refs.push({ level, index: offset / width });
        offset += width;
      }
    }
    return refs;
  }

  static of(size: bigint, hashes: ReadonlyMap<string, Buffer>): MerkleFrontier {
    const stack = MerkleFrontier.refsFor(size).map((ref) => {
      const hash = hashes.get(subtreeKey(ref));
      if (!hash) throw new Error(`subtree ${subtreeKey(ref)} is not stored`);
      return { level: ref.level, hash };
    });
    return new MerkleFrontier(size, stack);
  }

  get treeSize(): bigint {
    return this.size;
  }

  /** Appends a leaf hash; calls `completed` for every new complete subtree above the leaves. */
  append(leaf: Buffer, completed?: (level: number, index: bigint, hash: Buffer) => void): void {
    let level = 0;
    let hash = leaf;
    let index = this.size;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.level === level) {
      hash = nodeHash(this.stack.pop()!.hash, hash);
      level += 1;
      index >>= 1n;
      completed?.(level, index, hash);
    }
    this.stack.push({ level, hash });
    this.size += 1n;
  }

  /** MTH of the tree so far: the complete subtrees folded from the right. */
  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let hash = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i -= 1) hash = nodeHash(this.stack[i]!.hash, hash);
    return hash;
  }
}
