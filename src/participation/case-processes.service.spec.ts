import { Country } from '../access/organisation-type';
import { reflectionPeriodEnd } from './case-processes.service';

describe('reflectionPeriodEnd', () => {
  it('adds 45 days in Belgium', () => {
    expect(reflectionPeriodEnd('2026-12-01', Country.BE)).toBe('2027-01-15');
    expect(reflectionPeriodEnd('2028-02-01', Country.BE)).toBe('2028-03-17');
  });

  it('adds 3 calendar months in the Netherlands, clamping to the last day of the month', () => {
    expect(reflectionPeriodEnd('2026-11-15', Country.NL)).toBe('2027-02-15');
    expect(reflectionPeriodEnd('2026-11-30', Country.NL)).toBe('2027-02-28');
    expect(reflectionPeriodEnd('2027-11-30', Country.NL)).toBe('2028-02-29');
    expect(reflectionPeriodEnd('2026-10-31', Country.NL)).toBe('2027-01-31');
  });

  it('adds 90 days in Luxembourg', () => {
    expect(reflectionPeriodEnd('2026-12-01', Country.LU)).toBe('2027-03-01');
  });
});
