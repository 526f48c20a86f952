import { createHash, createPublicKey, verify } from 'node:crypto';

/**
 * An independent verifier for the tests, written from RFC 9162 (section 2.1) and the C2SP
 * signed-note / tlog-checkpoint specifications. It shares no code with src/: the proofs are
 * checked by rebuilding the roots recursively along the RFC's own definitions (PATH and
 * SUBPROOF), not with the iterative algorithms production uses, and the Ed25519 key is loaded
 * as a JWK, not from DER.
 */

const sha256 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

export const rfcLeafHash = (entry: Buffer): Buffer => sha256(Buffer.from([0x00]), entry);
const rfcNodeHash = (left: Buffer, right: Buffer): Buffer => sha256(Buffer.from([0x01]), left, right);

/** k: the largest power of two smaller than n (RFC 9162, 2.1.1). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, PATH(m - k, D[k:n]) : MTH(D[0:k])
 * otherwise: the last hash is the sibling at the top, so the root is rebuilt from the end.
 */
export function rootFromInclusionPath(leaf: Buffer, m: number, n: number, path: readonly Buffer[]): Buffer | undefined {
  if (n === 1) return path.length === 0 && m === 0 ? leaf : undefined;
  if (path.length === 0) return undefined;
  const k = largestPowerOfTwoBelow(n);
  const sibling = path[path.length - 1]!;
  const rest = path.slice(0, -1);
  if (m < k) {
    const left = rootFromInclusionPath(leaf, m, k, rest);
    return left && rfcNodeHash(left, sibling);
  }
  const right = rootFromInclusionPath(leaf, m - k, n - k, rest);
  return right && rfcNodeHash(sibling, right);
}

/**
 * SUBPROOF(m, D[n], b): [] when m = n and b, [MTH(D[m])] when m = n and not b; otherwise
 * SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) for m <= k, SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
 * Rebuilds (old root, new root) from the end of the proof; the proof must be used up exactly.
 */
export function checkConsistency(m: number, n: number, proof: readonly Buffer[], oldRoot: Buffer, newRoot: Buffer): boolean {
  if (m < 1 || m > n) return false;
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  const remaining = [...proof];
  const rebuild = (size1: number, size2: number, complete: boolean): [Buffer, Buffer] | undefined => {
    if (size1 === size2) {
      if (complete) return [oldRoot, oldRoot];
      const hash = remaining.pop();
      return hash && [hash, hash];
    }
    const sibling = remaining.pop();
    if (!sibling) return undefined;
    const k = largestPowerOfTwoBelow(size2);
    if (size1 <= k) {
      const inner = rebuild(size1, k, complete);
      return inner && [inner[0], rfcNodeHash(inner[1], sibling)];
    }
    const inner = rebuild(size1 - k, size2 - k, false);
    return inner && [rfcNodeHash(sibling, inner[0]), rfcNodeHash(sibling, inner[1])];
  };
  const roots = rebuild(m, n, true);
  return remaining.length === 0 && roots !== undefined && roots[0].equals(oldRoot) && roots[1].equals(newRoot);
}

export interface IndependentKey {
  name: string;
  check(note: string): { origin: string; size: number; root: Buffer } | undefined;
}

/** `<name>+<hex key hash>+<base64(0x01 ‖ key)>`; throws when the key hash is not SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]. */
export function independentKey(verifierKey: string): IndependentKey {
  // <name>+<hash>+<key>: the name and hash hold no "+", the base64 key may.
  const first = verifierKey.indexOf('+');
  const second = verifierKey.indexOf('+', first + 1);
  const [name, hashHex, encoded] = [verifierKey.slice(0, first), verifierKey.slice(first + 1, second), verifierKey.slice(second + 1)];
  const typed = Buffer.from(encoded!, 'base64');
  if (typed[0] !== 0x01 || typed.length !== 33) throw new Error('not an Ed25519 verifier key');
  const raw = typed.subarray(1);
  const expectedHash = sha256(Buffer.from(`${name}\n`, 'utf8'), Buffer.from([0x01]), raw).subarray(0, 4);
  if (expectedHash.toString('hex') !== hashHex) throw new Error('the key hash does not match SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)');
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  return {
    name: name!,
    check(note: string) {
      const split = note.lastIndexOf('\n\n');
      const text = note.slice(0, split + 1);
      const signatures = note
        .slice(split + 2)
        .split('\n')
        .filter(Boolean);
      const ours = signatures.find((line) => line.startsWith(`\u2014 ${name} `));
      if (!ours) return undefined;
      const blob = Buffer.from(ours.slice(`\u2014 ${name} `.length), 'base64');
      if (!blob.subarray(0, 4).equals(expectedHash)) return undefined;
      if (!verify(null, Buffer.from(text, 'utf8'), key, blob.subarray(4))) return undefined;
      const [origin, size, root] = text.split('\n');
      return { origin: origin!, size: Number(size), root: Buffer.from(root!, 'base64') };
    },
  };
}
