import { type Algorithm, hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id`, spelled out: the package declares a const enum, which per-file transpilers (jest's) cannot inline. */
const ARGON2ID = 2 as Algorithm;

/** argon2id with the OWASP-recommended parameters (19 MiB, 2 iterations, 1 lane). */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verified against when the e-mail is unknown, so both failures take the same time. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('passage-timing-equaliser');
  return dummyHash;
}
