/** Binds a referral's sealed message to its referral, so a ciphertext cannot be moved to another row. */
export function referralMessageAssociatedData(referralId: string): string {
  return `referral:${referralId}:message`;
}
