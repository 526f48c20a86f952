import { NoteSigner, openNote, parseVerifierKey } from './signed-note';

// The reference vectors of golang.org/x/mod/sumdb/note (note_test.go and its package example).
const GO_SIGNER_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('C2SP signed notes', () => {
  it("derives Go's verifier key, key hash included, from the same private key", () => {
    expect(new NoteSigner('PeterNeumann', GO_SIGNER_SEED).verifierKey).toBe(GO_VERIFIER_KEY);
  });

  it("signs byte for byte as Go's note.Sign does (Ed25519 is deterministic)", () => {
    expect(new NoteSigner('PeterNeumann', GO_SIGNER_SEED).sign(GO_TEXT)).toBe(GO_NOTE);
  });

  it("opens Go's note with its verifier key, and nothing altered", () => {
    const verifier = parseVerifierKey(GO_VERIFIER_KEY);
    expect(openNote(GO_NOTE, verifier)).toBe(GO_TEXT);
    expect(openNote(GO_NOTE.replace('cryptography', 'cryptographY'), verifier)).toBeUndefined();
    expect(openNote(GO_NOTE.replace('\u2014 PeterNeumann', '\u2014 PeterNeumanN'), verifier)).toBeUndefined();
  });

  it('reads verifier keys whose base64 holds a "+", and refuses one whose key hash does not match', () => {
    expect(parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6').name).toBe('TEST');
    expect(() => parseVerifierKey(GO_VERIFIER_KEY.replace('c74f20a3', 'c74f20a4'))).toThrow(/key hash/);
    expect(() => parseVerifierKey('PeterNeumann+c74f20a3')).toThrow();
  });
});
