const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Identifiers come from code or configuration; anything else is refused rather than quoted. */
export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid ClickHouse identifier "${name}"`);
  return name;
}
