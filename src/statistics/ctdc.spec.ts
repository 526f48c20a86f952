import fc from 'fast-check';
import { type CaseRecordClass, CTDC_COLUMNS, K, kAnonymise, toCtdcRow } from './ctdc';

const record = (overrides: Partial<CaseRecordClass> = {}): CaseRecordClass => ({
  year: 2026,
  country: 'BE',
  minor: false,
  exploitationTypes: ['labour'],
  gender: 'female',
  ageGroup: '18-25',
  indicators: ['debt_bondage'],
  citizenship: 'RO',
  count: 1,
  ...overrides,
});

/** k as a reader of the output would compute it: the size of the smallest set of identical rows. */
function smallestClass(rows: Array<Record<string, string>>): number {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = CTDC_COLUMNS.map((c) => row[c]).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Math.min(...counts.values());
}

function expand(result: ReturnType<typeof kAnonymise>): Array<Record<string, string>> {
  return result.classes.flatMap(({ row, count }) => Array.from({ length: count }, () => row));
}

describe('CTDC rows', () => {
  it('maps the statistical fields to the codebook variables', () => {
    const row = toCtdcRow(
      record({ exploitationTypes: ['sexual', 'domestic_servitude'], indicators: ['deception', 'isolation'], minor: true, ageGroup: '12-17' }),
    );
    expect(row).toMatchObject({
      yearOfRegistration: '2026',
      gender: 'Female',
      ageBroad: '12--17',
      majorityStatus: 'Minor',
      CountryOfExploitation: 'BE',
      isForcedLabour: '1',
      isSexualExploit: '1',
      isSexAndLabour: '1',
      typeOfLabourDomesticWork: '1',
      meansOfControlFalsePromises: '1',
      meansOfControlOther: '1',
      meansOfControlDebtBondage: '0',
      meansOfControlNotSpecified: '0',
    });
    expect(Object.keys(row).sort()).toEqual([...CTDC_COLUMNS].sort());
  });
});

describe('kAnonymise', () => {
  it('publishes detail when every class already holds k cases', () => {
    const result = kAnonymise([record({ count: 11 }), record({ gender: 'male', count: 20 })]);
    expect(result.level).toBe(0);
    expect(result.suppressedRows).toBe(0);
    expect(expand(result)).toHaveLength(31);
  });

  it('generalises before suppressing many rows, and suppresses what stays under k', () => {
    // 40 cases that differ only by their means of control: no class reaches 11 until those go.
    const records = [
      record({ indicators: ['debt_bondage'], count: 10 }),
      record({ indicators: ['deception'], count: 10 }),
      record({ indicators: ['isolation'], count: 10 }),
      record({ indicators: null, count: 10 }),
      record({ gender: 'other', ageGroup: '65+', exploitationTypes: ['organ_removal'], count: 1 }),
    ];
    const result = kAnonymise(records);
    expect(result.level).toBeGreaterThanOrEqual(1);
    const rows = expand(result);
    expect(rows.every((row) => row.meansOfControlDebtBondage === '')).toBe(true);
    expect(rows).toHaveLength(40);
    expect(smallestClass(rows)).toBeGreaterThanOrEqual(K);
  });

  it('removes a citizenship fewer than k victims share before anything else, and keeps common ones', () => {
    // 12 Romanian and 11 Nigerian victims alike but for nationality, and 11 victims each of a nationality no other has.
    const rare = ['ER', 'SY', 'AF', 'IQ', 'SO', 'SD', 'ET', 'PK', 'BD', 'NP', 'LK'];
    const result = kAnonymise([
      record({ count: 12 }),
      record({ citizenship: 'NG', count: 11 }),
      ...rare.map((citizenship) => record({ citizenship, count: 1 })),
    ]);
    const rows = expand(result);
    expect(result.level).toBe(1);
    expect(result.suppressedRows).toBe(0);
    expect(rows.filter((row) => rare.includes(row.citizenship!))).toEqual([]);
    expect(rows.filter((row) => row.citizenship === '')).toHaveLength(11);
    expect(rows.filter((row) => row.citizenship === 'RO')).toHaveLength(12);
    expect(rows.filter((row) => row.citizenship === 'NG')).toHaveLength(11);
    expect(smallestClass(rows)).toBeGreaterThanOrEqual(K);
  });

  it('never publishes a class under k, whatever the data', () => {
    const arbitraryRecord = fc.record({
      year: fc.integer({ min: 2024, max: 2026 }),
      country: fc.constantFrom('BE', 'NL'),
      minor: fc.boolean(),
      exploitationTypes: fc.subarray(['sexual', 'labour', 'domestic_servitude', 'forced_marriage', 'other'], { minLength: 1 }),
      gender: fc.constantFrom('female', 'male', 'other', null),
      ageGroup: fc.constantFrom('12-17', '18-25', '26-40', null),
      indicators: fc.option(fc.subarray(['debt_bondage', 'deception', 'isolation', 'withholding_wages'])),
      citizenship: fc.constantFrom('RO', 'NG', 'VN', 'UA', null),
      count: fc.integer({ min: 1, max: 30 }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryRecord, { maxLength: 60 }), (records) => {
        const result = kAnonymise(records);
        const rows = expand(result);
        // An empty export has no class to measure; it is k-anonymous by definition.
        expect(rows.length > 0 ? smallestClass(rows) : K).toBeGreaterThanOrEqual(K);
        expect(rows.length + result.suppressedRows).toBe(result.totalRows);
      }),
      { numRuns: 200 },
    );
  });
});
