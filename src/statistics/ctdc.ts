/**
 * The CTDC (Counter Trafficking Data Collaborative) victim dataset layout, for what Passage holds,
 * and its k-anonymisation (k = 11, as CTDC publishes its global dataset).
 *
 * Variable names follow the CTDC data codebook. What Passage holds and how it maps:
 * - yearOfRegistration: the year the case was opened; Datasource: always "Case Management".
 * - gender: the summary's gender (Female, Male, Other); unknown is left empty (missing).
 * - ageBroad: the summary's age group, in CTDC's "a--b" notation. Passage records its own bands
 *   (0-11, 12-17, 18-25, 26-40, 41-64, 65+), which are not CTDC's; they are exported as they are.
 * - majorityStatus: Minor or Adult, from the summary's `minor` flag.
 * - CountryOfExploitation: the case's country, i.e. the country whose police or labour inspection
 *   identified the victim; Passage holds no separate country of exploitation.
 * - isForcedLabour, isSexualExploit, isSexAndLabour, isForcedMarriage, isOrganRemoval,
 *   isOtherExploit and typeOfLabourDomesticWork / Begging / IllicitActivities: from the exploitation types.
 * - meansOfControl*: from the ILO indicators (abuse of vulnerability, isolation and abusive
 *   conditions have no CTDC counterpart and count as meansOfControlOther).
 * - citizenship: the identity section's nationality (ISO 3166-1 alpha-2). The identity is sealed,
 *   so the cases module announces the nationality when the identity is written and statistics keeps
 *   it in stats_case_record (no other identity field); it outlives crypto-shredding like the rest.
 * Missing values are empty cells.
 *
 * Every column is treated as a quasi-identifier: a row is published only if at least k - 1 other
 * published rows are identical to it. When too many rows would have to go, columns are
 * generalised step by step (GENERALISATION_STEPS) for the whole export, then the rows still in
 * classes under k are suppressed.
 */

export const K = 11;
/** The share of rows the export may suppress before it generalises one step further. */
export const MAX_SUPPRESSED_SHARE = 0.05;

/** One group of cases with identical statistical fields (stats_case_record), with how many there are. */
export interface CaseRecordClass {
  year: number;
  country: string;
  minor: boolean;
  exploitationTypes: readonly string[];
  gender: string | null;
  ageGroup: string | null;
  indicators: readonly string[] | null;
  citizenship: string | null;
  count: number;
}

const MEANS_OF_CONTROL: Record<string, string> = {
  debt_bondage: 'meansOfControlDebtBondage',
  withholding_wages: 'meansOfControlTakesEarnings',
  intimidation_threats: 'meansOfControlThreats',
  physical_sexual_violence: 'meansOfControlPhysicalAbuse',
  deception: 'meansOfControlFalsePromises',
  restriction_of_movement: 'meansOfControlRestrictsMovement',
  retention_of_documents: 'meansOfControlWithholdsDocuments',
  excessive_overtime: 'meansOfControlExcessiveWorkingHours',
  abuse_of_vulnerability: 'meansOfControlOther',
  isolation: 'meansOfControlOther',
  abusive_conditions: 'meansOfControlOther',
};
const MEANS_OF_CONTROL_COLUMNS = [...new Set(Object.values(MEANS_OF_CONTROL)), 'meansOfControlNotSpecified'];
const LABOUR_TYPES = ['labour', 'domestic_servitude', 'forced_begging', 'forced_criminality'];
const TYPE_OF_LABOUR_COLUMNS = ['typeOfLabourDomesticWork', 'typeOfLabourBegging', 'typeOfLabourIllicitActivities'];
const SPECIFIC_EXPLOIT_COLUMNS = ['isSexAndLabour', 'isForcedMarriage', 'isOrganRemoval'];

export const CTDC_COLUMNS: readonly string[] = [
  'yearOfRegistration',
  'Datasource',
  'gender',
  'ageBroad',
  'majorityStatus',
  'citizenship',
  'CountryOfExploitation',
  'isForcedLabour',
  'isSexualExploit',
  'isOtherExploit',
  ...SPECIFIC_EXPLOIT_COLUMNS,
  ...TYPE_OF_LABOUR_COLUMNS,
  ...MEANS_OF_CONTROL_COLUMNS,
];

export type CtdcRow = Record<string, string>;

const GENDER: Record<string, string> = { female: 'Female', male: 'Male', other: 'Other' };
const flag = (value: boolean): string => (value ? '1' : '0');

/** The CTDC row of one class of cases, before any generalisation. */
export function toCtdcRow(record: CaseRecordClass): CtdcRow {
  const types = new Set(record.exploitationTypes);
  const labour = LABOUR_TYPES.some((t) => types.has(t));
  const sexual = types.has('sexual');
  const row: CtdcRow = {
    yearOfRegistration: String(record.year),
    Datasource: 'Case Management',
    gender: (record.gender && GENDER[record.gender]) ?? '',
    ageBroad: record.ageGroup && record.ageGroup !== 'unknown' ? record.ageGroup.replace('-', '--') : '',
    majorityStatus: record.minor ? 'Minor' : 'Adult',
    citizenship: record.citizenship ?? '',
    CountryOfExploitation: record.country,
    isForcedLabour: flag(labour),
    isSexualExploit: flag(sexual),
    isOtherExploit: flag(types.has('other')),
    isSexAndLabour: flag(sexual && labour),
    isForcedMarriage: flag(types.has('forced_marriage')),
    isOrganRemoval: flag(types.has('organ_removal')),
    typeOfLabourDomesticWork: flag(types.has('domestic_servitude')),
    typeOfLabourBegging: flag(types.has('forced_begging')),
    typeOfLabourIllicitActivities: flag(types.has('forced_criminality')),
  };
  const indicators = record.indicators ?? [];
  for (const column of MEANS_OF_CONTROL_COLUMNS) row[column] = '0';
  for (const indicator of indicators) {
    const column = MEANS_OF_CONTROL[indicator];
    if (column) row[column] = '1';
  }
  if (indicators.length === 0) row.meansOfControlNotSpecified = '1';
  return row;
}

const blank =
  (columns: readonly string[]) =>
  (row: CtdcRow): CtdcRow => ({ ...row, ...Object.fromEntries(columns.map((c) => [c, ''])) });

/** What a generalisation may know of the whole export: the citizenships held by at least K of its victims. */
interface ExportContext {
  commonCitizenships: ReadonlySet<string>;
}

/** Whole-export generalisations, least information lost first; each applies on top of the ones before. */
export const GENERALISATION_STEPS: ReadonlyArray<{ name: string; apply: (row: CtdcRow, context: ExportContext) => CtdcRow }> = [
  // A nationality few victims share singles them out whatever else is blanked: those go first.
  {
    name: 'citizenships of fewer than k victims removed',
    apply: (row, context) => (context.commonCitizenships.has(row.citizenship ?? '') ? row : { ...row, citizenship: '' }),
  },
  { name: 'means of control removed', apply: blank(MEANS_OF_CONTROL_COLUMNS) },
  { name: 'type of labour removed', apply: blank(TYPE_OF_LABOUR_COLUMNS) },
  { name: 'age band removed (majority status kept)', apply: blank(['ageBroad']) },
  { name: 'citizenship removed', apply: blank(['citizenship']) },
  {
    name: 'specific exploitation types folded into isOtherExploit',
    apply: (row) => ({
      ...blank(SPECIFIC_EXPLOIT_COLUMNS)(row),
      isOtherExploit: row.isOtherExploit === '1' || row.isForcedMarriage === '1' || row.isOrganRemoval === '1' ? '1' : '0',
    }),
  },
  { name: 'year of registration removed', apply: blank(['yearOfRegistration']) },
  { name: 'gender removed', apply: blank(['gender']) },
];

export interface AnonymisedExport {
  /** Classes of identical rows, each at least K strong. */
  classes: Array<{ row: CtdcRow; count: number }>;
  /** How many generalisation steps were applied. */
  level: number;
  suppressedRows: number;
  totalRows: number;
}

function rowKey(row: CtdcRow): string {
  return JSON.stringify(CTDC_COLUMNS.map((c) => row[c] ?? ''));
}

function exportContext(records: readonly CaseRecordClass[]): ExportContext {
  const counts = new Map<string, number>();
  for (const record of records) if (record.citizenship) counts.set(record.citizenship, (counts.get(record.citizenship) ?? 0) + record.count);
  return { commonCitizenships: new Set([...counts].filter(([, count]) => count >= K).map(([citizenship]) => citizenship)) };
}

function classesAt(records: readonly CaseRecordClass[], level: number): Map<string, { row: CtdcRow; count: number }> {
  const classes = new Map<string, { row: CtdcRow; count: number }>();
  const context = exportContext(records);
  for (const record of records) {
    let row = toCtdcRow(record);
    for (const step of GENERALISATION_STEPS.slice(0, level)) row = step.apply(row, context);
    const key = rowKey(row);
    const existing = classes.get(key);
    if (existing) existing.count += record.count;
    else classes.set(key, { row, count: record.count });
  }
  return classes;
}

/**
 * Picks the least generalisation that suppresses at most MAX_SUPPRESSED_SHARE of the rows (or,
 * if none does, the one that suppresses fewest), then drops every class under K.
 */
export function kAnonymise(records: readonly CaseRecordClass[]): AnonymisedExport {
  const totalRows = records.reduce((sum, r) => sum + r.count, 0);
  let best: { level: number; classes: Map<string, { row: CtdcRow; count: number }>; suppressed: number } | undefined;
  for (let level = 0; level <= GENERALISATION_STEPS.length; level++) {
    const classes = classesAt(records, level);
    const suppressed = [...classes.values()].filter((c) => c.count < K).reduce((sum, c) => sum + c.count, 0);
    if (!best || suppressed < best.suppressed) best = { level, classes, suppressed };
    if (suppressed <= totalRows * MAX_SUPPRESSED_SHARE) break;
  }
  const kept = [...best!.classes.entries()]
    .filter(([, c]) => c.count >= K)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, c]) => c);
  return { classes: kept, level: best!.level, suppressedRows: best!.suppressed, totalRows };
}
