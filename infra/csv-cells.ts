/**
 * Spreadsheet formula injection: a CSV/XLSX cell that starts with = + - @ (or a tab or CR, which some
 * spreadsheets skip before one) is run as a formula when the file is opened. Every CSV/XLSX file
 * sora-cs writes passes its cells through `neutraliseCell`: such a cell gets a leading apostrophe, so
 * the spreadsheet shows it as text. `restoreCell` undoes it when sora-cs reads its own file back.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseCell<T>(value: T): T | string {
  if (typeof value !== 'string') return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Every cell of every row. */
export const neutraliseRows = <T>(rows: T[][]): (T | string)[][] => rows.map((r) => r.map(neutraliseCell));

/** The value a neutralised cell stood for (`'=x` → `=x`); other cells unchanged. */
export function restoreCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/**
 * One CSV cell: text neutralised (a formula-like start gets an apostrophe), numbers as they are (an
 * NPS of -50 is not a formula), null/undefined empty, quoted when it holds a quote, comma or line break.
 */
export function csvCell(v: unknown): string {
  if (typeof v === 'number') return String(v);
  const safe = neutraliseCell(v === null || v === undefined ? '' : String(v));
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Rows → CSV text (RFC 4180 quoting, \n line ends, a final line end). */
export const csvText = (rows: unknown[][]): string => rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
