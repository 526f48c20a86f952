import { join } from 'node:path';
import { crossModuleImports, entityTables, migrationTables, mutualPairs, readSources, tableWrites, type ImportEdge, type TableWrite } from './source-graph';

/**
 * The module rules of the code base, checked on the source text (no database): each table has one
 * owning module, a module uses another only through its public files, and no two modules import
 * each other. A failure names the file and line to change.
 */

const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** Composition roots wire every module together (and the seed writes demo rows everywhere): no rules apply to them. */
const COMPOSITION_ROOTS = new Set(['(root)', 'cli', 'seed']);

/** Infrastructure every feature builds on: all of its files are public. */
const SHARED = new Set(['common', 'config', 'database', 'redis', 'access']);

/** What any module may import of another: its Nest module, services, repositories, entities and DTOs. */
const PUBLIC_BY_ROLE = [/\.module$/, /\.service$/, /\.repository$/, /\.entity$/, /\/dto\//];

/** Further public files, per module: the types and ports other features are meant to use. */
const PUBLIC_FILES: Record<string, readonly string[]> = {
  audit: ['audit-action', 'admin-target', 'case-access-history', 'audit-csv'],
  auth: ['password', 'principal.loader', 'me'],
  cases: ['case-command', 'case-lifecycle', 'sections/section-schemas'],
  deadlines: ['deadline-kind', 'deadline-kind-handler'],
  matching: ['blind-index'],
  outbox: ['domain-event', 'pg-listener', 'polling-loop'],
  queue: ['job-name', 'job-handler', 'job-definitions'],
  referrals: ['referral-rules'],
};

/** Table → the module whose repository (or service) alone writes it. */
const TABLE_OWNER: Record<string, string> = {
  organisation: 'organisations',
  user: 'users',
  user_invitation: 'users',
  auth_session: 'auth',
  refresh_token: 'auth',
  login_failure: 'auth',
  case: 'cases',
  case_section: 'cases',
  case_key: 'cases',
  case_reference_counter: 'cases',
  case_closure: 'cases',
  case_reopening: 'cases',
  case_identity_index: 'matching',
  participation: 'participation',
  consent: 'participation',
  referral: 'referrals',
  break_glass_grant: 'break-glass',
  case_note: 'notes',
  case_task: 'tasks',
  case_document: 'documents',
  document_blob_chunk: 'documents',
  outbox_event: 'outbox',
  deadline: 'deadlines',
  notification: 'notifications',
  notification_email: 'notifications',
  webhook: 'notifications',
  webhook_delivery: 'notifications',
  webhook_delivery_attempt: 'notifications',
  stats_case_record: 'statistics',
  stats_monthly: 'statistics',
  audit_event: 'audit',
  audit_chain_head: 'audit',
  audit_checkpoint: 'audit',
  audit_log_checkpoint: 'audit',
  audit_log_entry: 'audit',
  audit_log_node: 'audit',
  audit_log_retention: 'audit',
  audit_log_state: 'audit',
};

/** Columns owned apart from their row: the free beds of a centre belong to participation (placements take and give them back). */
const COLUMN_OWNER: Record<string, Record<string, string>> = {
  organisation: { beds_available: 'participation', beds_total: 'participation' },
};

/** Bookkeeping columns any writer of a row's owned columns sets along. */
const NEUTRAL_COLUMNS = new Set(['updated_at']);

/** Files that may set a referral's status: the repository whose `transition` follows the table in referral-rules.ts. */
const REFERRAL_STATUS_WRITERS = new Set(['referrals/referral.repository.ts']);

/** Re-sealing under a new key (keys:rotate) rewrites only key id and ciphertext columns, whoever owns the row. */
const SEALED_COLUMN = /(^|_)(key_id|ciphertext|wrapped_key)$/;

const files = readSources(SRC);
const imports = crossModuleImports(SRC, files);
const writes = tableWrites(files, entityTables(files));

function isPublic(edge: ImportEdge): boolean {
  if (SHARED.has(edge.targetModule) || COMPOSITION_ROOTS.has(edge.from.module)) return true;
  const inModule = edge.target.slice(edge.targetModule.length + 1);
  return PUBLIC_BY_ROLE.some((pattern) => pattern.test(`/${inModule}`)) || (PUBLIC_FILES[edge.targetModule] ?? []).includes(inModule);
}

/** Why this write breaks ownership, or undefined when the owner makes it. */
export function ownershipViolation(write: TableWrite): string | undefined {
  if (COMPOSITION_ROOTS.has(write.file.module)) return undefined;
  const where = `${write.file.path}:${write.line}`;
  const owner = TABLE_OWNER[write.table];
  if (!owner) return `${where} writes ${write.table}, a table with no owner in TABLE_OWNER`;
  if (write.verb === 'UPDATE' && write.columns.length > 0 && write.columns.every((column) => SEALED_COLUMN.test(column))) return undefined;
  const columnOwners = COLUMN_OWNER[write.table] ?? {};
  const columns = write.verb === 'UPDATE' ? write.columns.filter((column) => !NEUTRAL_COLUMNS.has(column)) : [];
  const owners = columns.length > 0 ? new Set(columns.map((column) => columnOwners[column] ?? owner)) : new Set([owner]);
  const foreign = [...owners].filter((module) => module !== write.file.module);
  if (foreign.length > 0) return `${where} (${write.file.module}) writes ${write.table}: owned by ${foreign.join(', ')}`;
  if (write.table === 'referral' && write.columns.includes('status') && !REFERRAL_STATUS_WRITERS.has(write.file.path)) {
    return `${where} sets referral.status outside ReferralRepository.transition`;
  }
  return undefined;
}

describe('architecture', () => {
  it('finds the source it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(imports.length).toBeGreaterThan(100);
    expect(writes.length).toBeGreaterThan(40);
  });

  it('gives every table the migrations create one owning module', () => {
    const unowned = [...migrationTables(join(ROOT, 'migrations'))].filter((table) => !TABLE_OWNER[table]).sort();
    expect(unowned).toEqual([]);
  });

  it('lets only the owning module write a table (SQL and TypeORM repository writes)', () => {
    expect(writes.map(ownershipViolation).filter((violation) => violation !== undefined)).toEqual([]);
  });

  it('has participation, referral status and beds each written from one file', () => {
    const writers = (test: (write: TableWrite) => boolean): string[] => [...new Set(writes.filter(test).map((w) => w.file.path))].sort();
    expect(writers((w) => w.table === 'participation' && !COMPOSITION_ROOTS.has(w.file.module))).toEqual(['participation/participation.repository.ts']);
    expect(writers((w) => w.table === 'referral' && w.columns.includes('status'))).toEqual(['referrals/referral.repository.ts']);
    expect(writers((w) => w.table === 'organisation' && w.columns.some((c) => c.startsWith('beds_')))).toEqual(['participation/participation.repository.ts']);
  });

  it("imports only another module's public files (module, services, repositories, entities, DTOs, declared ports)", () => {
    const internal = imports.filter((edge) => !isPublic(edge)).map((edge) => `${edge.from.path} imports ${edge.target}`);
    expect([...new Set(internal)].sort()).toEqual([]);
  });

  it('has no two modules that import each other', () => {
    const mutual = mutualPairs(imports.filter((edge) => !COMPOSITION_ROOTS.has(edge.from.module) && !COMPOSITION_ROOTS.has(edge.targetModule)));
    const evidence = mutual.map((pair) => {
      const [a, b] = pair.split(' <-> ');
      const examples = imports.filter((e) => (e.from.module === a && e.targetModule === b) || (e.from.module === b && e.targetModule === a));
      return `${pair}: ${[...new Set(examples.map((e) => `${e.from.path} -> ${e.target}`))].join(', ')}`;
    });
    expect(evidence).toEqual([]);
  });
});
