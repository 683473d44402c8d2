/**
 * Metric names used by a PromQL expression, so rules and dashboards can be checked against
 * docs/metrics.md. A small scanner rather than a parser: it drops strings, label matchers,
 * grouping clauses, durations and function names, and maps histogram series to their base.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
  'le',
  'atan2',
]);

export function metricNames(expr: string): Set<string> {
  const cleaned = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // grouping labels
    .replace(/\[[^\]]*\]/g, ' '); // range and subquery durations
  const names = new Set<string>();
  const identifier = /([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g;
  for (const match of cleaned.matchAll(identifier)) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined) continue; // function call
    const start = match.index;
    if (start > 0 && /[0-9.]/.test(cleaned.charAt(start - 1))) continue; // part of a number such as 1e3
    if (KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name.replace(/_(bucket|sum|count)$/, ''));
  }
  return names;
}

/** Metric names listed in the tables of docs/metrics.md (first column, in backticks). */
export function documentedMetrics(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    const cell = /^\|\s*([^|]+)\|/.exec(line)?.[1];
    if (cell === undefined) continue;
    for (const m of cell.matchAll(/`([a-zA-Z_:][a-zA-Z0-9_:]*)`/g)) {
      if (m[1] !== undefined) names.add(m[1]);
    }
  }
  // Prometheus's own per-target series, listed in prose.
  for (const m of markdown.matchAll(/`(up|scrape_[a-z_]+)`/g)) {
    if (m[1] !== undefined) names.add(m[1]);
  }
  return names;
}
