import type { Store } from '../src/store/db.ts';

/**
 * Every row of every table, in a stable order, as one JSON text: "the store is unchanged" means
 * two dumps are equal, which also catches an updated timestamp or a flipped status.
 */
export async function dumpStore(store: Store): Promise<string> {
  const tables = await store.client.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const dump: Record<string, unknown[]> = {};
  for (const { name } of tables.rows) {
    const rows = await store.client.execute(`SELECT * FROM "${String(name)}" ORDER BY rowid`);
    dump[String(name)] = rows.rows.map((row) => ({ ...row }));
  }
  return JSON.stringify(dump, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}
