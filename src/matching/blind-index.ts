import { createHmac } from 'node:crypto';
import type { EncryptionKey } from '../config/config';
import { normaliseDocumentNumber, normaliseName } from './identity-normaliser';

/** What a blind index says about an identity. Both name kinds exist so a name without a known date of birth still matches. */
export enum BlindIndexKind {
  /** Normalised full name (or alias). */
  Name = 'name',
  /** Normalised full name (or alias) with the date of birth. */
  NameAndBirthDate = 'name_dob',
  /** Normalised identity document number. */
  Document = 'document',
}

export interface BlindIndexTerm {
  kind: BlindIndexKind;
  keyId: string;
  digest: Buffer;
}

/** The identity fields matching looks at; the identity section as stored, or a match query. */
export interface IdentityProbe {
  names: readonly string[];
  dateOfBirth?: string | null;
  documentNumbers: readonly string[];
}

/** Shorter normal forms say too little about a person to be worth indexing (and would match everyone called "Li"). */
const MIN_NAME_LENGTH = 3;
const MIN_DOCUMENT_LENGTH = 4;

/**
 * Keyed blind indexes (HMAC-SHA-256 under MATCH_INDEX_KEY) of an identity's normal forms. Without
 * the key the digests are not guessable from a list of names; with the key but without database
 * access nothing is learnt. The kind is inside the HMAC input, so a name digest never equals a
 * document digest. Every configured key can compute terms (rotation: the first key writes, all
 * are searched until `keys:rotate` has re-indexed every case).
 */
export class BlindIndexer {
  constructor(private readonly keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('at least one match index key is required');
  }

  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  /** The terms stored for a case (current key only). */
  termsToStore(identity: IdentityProbe): BlindIndexTerm[] {
    return this.terms(identity, [this.keys[0]!]);
  }

  /** The terms to search for (every configured key, so rows not yet re-indexed are still found). */
  termsToSearch(identity: IdentityProbe): BlindIndexTerm[] {
    return this.terms(identity, this.keys);
  }

  private terms(identity: IdentityProbe, keys: readonly EncryptionKey[]): BlindIndexTerm[] {
    const plain = new Map<string, BlindIndexKind>();
    for (const name of identity.names) {
      const normal = normaliseName(name);
      if (normal.replace(/ /g, '').length < MIN_NAME_LENGTH) continue;
      plain.set(`${BlindIndexKind.Name}\u0000${normal}`, BlindIndexKind.Name);
      if (identity.dateOfBirth) plain.set(`${BlindIndexKind.NameAndBirthDate}\u0000${normal}\u0000${identity.dateOfBirth}`, BlindIndexKind.NameAndBirthDate);
    }
    for (const number of identity.documentNumbers) {
      const normal = normaliseDocumentNumber(number);
      if (normal.length < MIN_DOCUMENT_LENGTH) continue;
      plain.set(`${BlindIndexKind.Document}\u0000${normal}`, BlindIndexKind.Document);
    }
    const terms: BlindIndexTerm[] = [];
    for (const key of keys) {
      for (const [input, kind] of plain) {
        terms.push({ kind, keyId: key.id, digest: createHmac('sha256', key.key).update(`passage-match-v1\u0000${input}`, 'utf8').digest() });
      }
    }
    return terms;
  }
}

/** The probe of a stored identity section: full name and aliases, date of birth, every document number. */
export function probeOfIdentity(identity: Record<string, unknown>): IdentityProbe {
  const names = [identity.fullName, ...(Array.isArray(identity.aliases) ? identity.aliases : [])].filter((n): n is string => typeof n === 'string');
  const documents = Array.isArray(identity.documents) ? identity.documents : [];
  const documentNumbers = documents
    .map((d: unknown) => (typeof d === 'object' && d !== null ? (d as { number?: unknown }).number : undefined))
    .filter((n): n is string => typeof n === 'string');
  const dateOfBirth = typeof identity.dateOfBirth === 'string' ? identity.dateOfBirth : null;
  return { names, dateOfBirth, documentNumbers };
}
