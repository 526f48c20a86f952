import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and the tlog-checkpoint
 * body (https://c2sp.org/tlog-checkpoint). The formats of the Go checksum database and Sigstore,
 * so a court or an authority can check Passage's checkpoints with off-the-shelf tools.
 */

const ED25519_TYPE = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
/** PKCS#8 DER header of an Ed25519 private key, followed by its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SPKI DER header of an Ed25519 public key, followed by its 32 bytes (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Key hash: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). */
export function keyHash(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** An Ed25519 note signer. The seed is the 32-byte private key (RFC 8032). */
export class NoteSigner {
  readonly publicKey: Buffer;
  readonly keyHash: Buffer;
  private readonly privateKey: KeyObject;

  constructor(
    readonly name: string,
    seed: Buffer,
  ) {
    if (!isValidKeyName(name)) throw new Error(`"${name}" is not a valid note key name (no spaces, no "+")`);
    if (seed.length !== 32) throw new Error('an Ed25519 private key is 32 bytes');
    this.privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey(this.privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
    this.keyHash = keyHash(name, this.publicKey);
  }

  /** `<name>+<hex key hash>+<base64(0x01 ‖ public key)>` */
  get verifierKey(): string {
    return `${this.name}+${this.keyHash.toString('hex')}+${Buffer.concat([Buffer.from([ED25519_TYPE]), this.publicKey]).toString('base64')}`;
  }

  /** The body must be newline-terminated lines; the signature covers the body only. */
  sign(body: string): string {
    if (!body.endsWith('\n') || body.includes('\n\n')) throw new Error('a note body is non-empty lines, each ending in a newline');
    const signature = sign(null, Buffer.from(body, 'utf8'), this.privateKey);
    return `${body}\n${SIGNATURE_PREFIX}${this.name} ${Buffer.concat([this.keyHash, signature]).toString('base64')}\n`;
  }
}

export interface NoteVerifier {
  name: string;
  keyHash: Buffer;
  publicKey: KeyObject;
}

export function parseVerifierKey(verifierKey: string): NoteVerifier {
  // The name holds no "+", the hash is hex; the base64 key may hold "+" itself.
  const match = /^([^+]+)\+([^+]+)\+(.+)$/s.exec(verifierKey.trim());
  if (!match) throw new Error('a verifier key is <name>+<hex key hash>+<base64 key>');
  const [, name, hash, key] = match as unknown as [string, string, string, string];
  const raw = Buffer.from(key, 'base64');
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(hash) || raw.length !== 33 || raw[0] !== ED25519_TYPE) {
    throw new Error('the verifier key is not an Ed25519 C2SP verifier key');
  }
  const publicKey = raw.subarray(1);
  if (!keyHash(name, publicKey).equals(Buffer.from(hash, 'hex'))) throw new Error('the verifier key hash does not match its name and key');
  return {
    name,
    keyHash: Buffer.from(hash, 'hex'),
    publicKey: createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' }),
  };
}

/** The body of a note when one of its signatures is the verifier's and holds; otherwise undefined. */
export function openNote(note: string, verifier: NoteVerifier): string | undefined {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return undefined;
  const body = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  if (lines.pop() !== '') return undefined;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return undefined;
    const [name, encoded] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name !== verifier.name || !encoded) continue;
    const raw = Buffer.from(encoded, 'base64');
    if (raw.length !== 68 || !raw.subarray(0, 4).equals(verifier.keyHash)) continue;
    return verify(null, Buffer.from(body, 'utf8'), verifier.publicKey, raw.subarray(4)) ? body : undefined;
  }
  return undefined;
}

export interface CheckpointBody {
  origin: string;
  treeSize: bigint;
  rootHash: Buffer;
}

export function checkpointBody(checkpoint: CheckpointBody): string {
  return `${checkpoint.origin}\n${checkpoint.treeSize}\n${checkpoint.rootHash.toString('base64')}\n`;
}

export function parseCheckpointBody(body: string): CheckpointBody | undefined {
  const lines = body.split('\n');
  const [origin, size, root] = lines;
  if (!origin || !size || !root || !/^(0|[1-9]\d{0,18})$/.test(size)) return undefined;
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) return undefined;
  return { origin, treeSize: BigInt(size), rootHash };
}

/**
 * A signed record that the log's first `throughSize` entries were pruned by retention. Its own
 * first line, so it can never be mistaken for a checkpoint of the same log.
 */
export function retentionBody(origin: string, throughSize: bigint, checkpoint: CheckpointBody): string {
  return `${origin}/retention\n${throughSize}\n${checkpoint.treeSize}\n${checkpoint.rootHash.toString('base64')}\n`;
}

export function parseRetentionBody(body: string, origin: string): { throughSize: bigint; checkpointSize: bigint; rootHash: Buffer } | undefined {
  const [first, through, size, root] = body.split('\n');
  if (first !== `${origin}/retention` || !through || !size || !root || !/^\d{1,19}$/.test(through) || !/^\d{1,19}$/.test(size)) return undefined;
  return { throughSize: BigInt(through), checkpointSize: BigInt(size), rootHash: Buffer.from(root, 'base64') };
}
