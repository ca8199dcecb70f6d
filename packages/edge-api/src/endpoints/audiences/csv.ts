// CSV as RFC 4180 writes it (CRLF line ends; a field with a comma, quote, CR or LF quoted, its
// quotes doubled), with cells made safe to open in a spreadsheet: a cell starting with `=`, `+`,
// `-`, `@`, a tab or a CR would be read as a formula, so it gets a leading `'` (OWASP's advice:
// https://owasp.org/www-community/attacks/CSV_Injection).

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(values: readonly string[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
