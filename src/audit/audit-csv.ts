/**
 * Characters that make a spreadsheet read a cell as a formula (CSV injection, OWASP): at the
 * start of the cell, and after a `;`, because Excel in semicolon locales (nl-BE, fr-BE, nl-NL)
 * splits a comma-separated line on `;` and ignores our quoting, so every `;` starts a new cell.
 */
const FORMULA_START = /(^|;)([=+\-@\t\r])/g;

/**
 * One CSV cell (RFC 4180), always quoted so no delimiter inside it is ever read as one. Each
 * piece that a spreadsheet would evaluate gets a leading single quote (OWASP's advice):
 * justifications are free text typed by users.
 */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '""';
  return `"${value.replace(FORMULA_START, "$1'$2").replace(/"/g, '""')}"`;
}

export function csvLine(cells: ReadonlyArray<string | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
