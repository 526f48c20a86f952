import { Problem } from '../common/problem';
import { monthPeriod } from './period';

describe('monthPeriod', () => {
  it('reads months and month-aligned dates, inclusive', () => {
    expect(monthPeriod('2025-11', '2026-02')).toMatchObject({
      from: '2025-11',
      to: '2026-02',
      months: ['2025-11', '2025-12', '2026-01', '2026-02'],
      startDate: '2025-11-01',
      endDate: '2026-03-01',
    });
    expect(monthPeriod('2024-02-01', '2024-02-29').months).toEqual(['2024-02']);
  });

  it('defaults to the twelve months up to the current one', () => {
    const period = monthPeriod(undefined, undefined, new Date('2026-12-02T10:00:00Z'));
    expect(period.from).toBe('2026-01');
    expect(period.to).toBe('2026-12');
  });

  it.each([
    ['2026-01-02', '2026-02', 'from'],
    ['2026-01', '2026-02-27', 'to'],
    ['2026-13', '2026-12', 'from'],
    ['yesterday', '2026-12', 'from'],
    ['2026-05', '2026-04', 'from'],
    ['2000-01', '2026-12', 'from'],
  ])('refuses from=%s to=%s with a 400 naming %s', (from, to, path) => {
    let error: unknown;
    try {
      monthPeriod(from, to);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Problem);
    expect((error as Problem).statusCode).toBe(400);
    expect((error as Problem).errors?.[0]?.path).toBe(path);
  });
});
