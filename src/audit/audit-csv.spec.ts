import { csvCell, csvLine } from './audit-csv';

describe('csvCell', () => {
  it('quotes every cell, so no delimiter inside a value ever splits it', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('')).toBe('""');
    expect(csvCell(null)).toBe('""');
    expect(csvCell('a;b,c')).toBe('"a;b,c"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('neutralises the formula start of %j', (value) => {
    expect(csvCell(value)).toBe(`"'${value}"`);
  });

  it('neutralises a formula that starts after a ";" (Excel in nl-BE, fr-BE and nl-NL splits on it)', () => {
    expect(csvCell("note;=cmd|' /C calc'!A0")).toBe(`"note;'=cmd|' /C calc'!A0"`);
    expect(csvCell(';+1;-2;@x;ok')).toBe(`";'+1;'-2;'@x;ok"`);
  });

  it('leaves harmless text alone apart from the quotes', () => {
    expect(csvCell('a-b = c')).toBe('"a-b = c"');
    expect(csvLine(['a', null, '=x'])).toBe(`"a","","'=x"\r\n`);
  });
});
