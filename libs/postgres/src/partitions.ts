import type { PoolClient } from 'pg';
import type { TableModel } from '@stableyield/sink-model';

/** The month (UTC) a time falls in, as the partition suffix `yyyymm` and its bounds. */
export function monthOf(ms: number): { suffix: string; from: string; to: string } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const iso = (year: number, month: number) => new Date(Date.UTC(year, month, 1)).toISOString();
  return { suffix: `${y}${String(m + 1).padStart(2, '0')}`, from: iso(y, m), to: iso(y, m + 1) };
}

export const partitionName = (table: string, suffix: string) => `${table}_p${suffix}`;

const DUPLICATE = new Set(['42P07', '23505']); // relation exists / concurrent catalog insert

/**
 * Monthly range partitions of plain PostgreSQL, created on demand before rows of a new month
 * are written (no default partition: a row never lands where a later partition would clash).
 */
export class PartitionManager {
  private readonly known = new Set<string>();

  async ensure(client: PoolClient, table: TableModel, times: Iterable<number>): Promise<void> {
    const months = new Map<string, ReturnType<typeof monthOf>>();
    for (const t of times) {
      const month = monthOf(t);
      const name = partitionName(table.name, month.suffix);
      if (!this.known.has(name)) months.set(name, month);
    }
    for (const [name, month] of months) {
      try {
        // Identifiers and bounds come from code and integers, never from record strings.
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table.name} ` +
            `FOR VALUES FROM ('${month.from}') TO ('${month.to}')`,
        );
      } catch (err) {
        if (!DUPLICATE.has((err as { code?: string }).code ?? '')) throw err;
      }
      this.known.add(name);
    }
  }
}
