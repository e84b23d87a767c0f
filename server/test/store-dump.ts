import type { BillingStore } from '../src/store/store.ts';

/**
 * Every row of every table, in a stable order, as one JSON text: "the store is unchanged" means
 * two dumps are equal, which also catches an updated timestamp or a flipped status. Rate-limit
 * buckets are left out: a refused request still spends its token, which is no billing state.
 */
export async function dumpStore(store: BillingStore): Promise<string> {
  const tables = await store.sql.run(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'rate_limits' ORDER BY name",
  );
  const dump: Record<string, unknown[]> = {};
  for (const { name } of tables.rows) {
    const rows = await store.sql.run(`SELECT * FROM "${String(name)}" ORDER BY rowid`);
    dump[String(name)] = rows.rows.map((row) => ({ ...row }));
  }
  return JSON.stringify(dump, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}
