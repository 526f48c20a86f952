/**
 * What an administrative audit event (user.*, organisation.*, webhook.*) is about, written into
 * its `justification` as `<kind>:<id>`: ids only, never names, e-mails or URLs.
 */
export function adminTarget(kind: 'user' | 'organisation' | 'webhook', id: string): string {
  return `${kind}:${id.toLowerCase()}`;
}
