/**
 * PRODUCT.md's "Sections granted by purpose" table, copied as text, and the product's rules
 * written independently of the implementation, so the specs check the code against the
 * product rather than against itself.
 */
export const PRODUCT_MATRIX = `
| purpose (org type) | summary | identity | care | investigation | immigration |
| lead | w | w | – | w | r |
| shelter | r | w | w | – | r |
| prosecution | r | r | – | w | r |
| investigation | r | w | – | w | r |
| labour_inspection | r | r | – | w | – |
| residence | r | r | – | – | w |
`;

export const ALL_SECTIONS = ['summary', 'identity', 'care', 'investigation', 'immigration'] as const;
export type OracleSection = (typeof ALL_SECTIONS)[number];
export type Access = 'read' | 'write';

export function productMatrix(): Record<string, Partial<Record<OracleSection, Access>>> {
  const rows = PRODUCT_MATRIX.trim().split('\n').slice(1);
  return Object.fromEntries(
    rows.map((line) => {
      const cells = line
        .split('|')
        .map((c) => c.trim())
        .filter((c) => c.length > 0);
      const sections: Partial<Record<OracleSection, Access>> = {};
      ALL_SECTIONS.forEach((section, i) => {
        const cell = cells[i + 1];
        if (cell === 'w') sections[section] = 'write';
        if (cell === 'r') sections[section] = 'read';
      });
      return [cells[0]!, sections];
    }),
  );
}

const OPERATIONAL: Record<string, string> = {
  police: 'officer',
  labour_inspection: 'inspector',
  prosecution: 'prosecutor',
  reception_centre: 'caseworker',
  migration: 'migration_officer',
};

export interface OracleUser {
  userId: string;
  role: string;
  organisationId: string;
  organisationType: string;
  country: string | null;
}

export interface OracleCase {
  leadOrganisationId: string;
  country: string;
  status: 'open' | 'closed';
  participations: Array<{ organisationId: string; purpose: string; revoked: boolean }>;
  breakGlassUserIds: string[];
}

export interface Expectation {
  visible: boolean;
  sections: Partial<Record<OracleSection, Access>>;
  read: number;
  update: Record<OracleSection, number>;
  close: number;
  explain: number;
  breakGlass: number;
  refer: boolean;
}

export function expectationFor(user: OracleUser, c: OracleCase): Expectation {
  const matrix = productMatrix();
  const operational = OPERATIONAL[user.organisationType] === user.role;
  const sections: Partial<Record<OracleSection, Access>> = {};
  const writable = new Set<OracleSection>();
  const wasWritable = (section: OracleSection) => writable.has(section);
  const grant = (section: OracleSection, access: Access) => {
    if (access === 'write') writable.add(section);
    if (sections[section] !== 'write') sections[section] = access;
  };
  const live = c.participations.filter((p) => p.organisationId === user.organisationId && !p.revoked);
  if (operational) {
    for (const p of live) for (const [section, access] of Object.entries(matrix[p.purpose] ?? {})) grant(section as OracleSection, access);
    if (c.breakGlassUserIds.includes(user.userId)) {
      grant('summary', 'read');
      grant('identity', 'read');
    }
  }
  const visible = Object.keys(sections).length > 0;
  const closed = c.status === 'closed';
  // Closed cases are read-only for everyone.
  if (closed) for (const section of Object.keys(sections) as OracleSection[]) sections[section] = 'read';
  const update = Object.fromEntries(
    ALL_SECTIONS.map((section) => [section, !visible ? 404 : closed && wasWritable(section) ? 409 : sections[section] === 'write' ? 200 : 403]),
  ) as Record<OracleSection, number>;
  const leads =
    operational &&
    (user.role === 'officer' || user.role === 'inspector') &&
    user.organisationId === c.leadOrganisationId &&
    live.some((p) => p.purpose === 'lead');
  const close = !visible ? 404 : leads ? (closed ? 409 : 200) : 403;
  const mayBreakGlass = operational && user.country === c.country && live.length === 0;
  return {
    visible,
    sections,
    read: visible ? 200 : 404,
    update,
    close,
    explain: visible ? 200 : 404,
    breakGlass: mayBreakGlass ? 201 : visible ? 403 : 404,
    refer: operational && live.length > 0 && !closed,
  };
}
