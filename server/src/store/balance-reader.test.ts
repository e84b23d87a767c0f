import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from './open-store.ts';

const now = new Date('2026-11-01T12:00:00.000Z');
const root = fileURLToPath(new URL('../../..', import.meta.url));

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'billing-reader-'));
  return {
    dir,
    url: `file:${join(dir, 'billing.db')}`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('balance reader', () => {
  test('agrees with a plain query after every write, rollback and checkpoint, from any connection', async () => {
    const { url, cleanup } = tempDir();
    try {
      const reader = await openStore({ url });
      const writer = await openStore({ url });
      const plain = async (id: string) => {
        const rs = await reader.sql.run('SELECT balance_cents FROM accounts WHERE id = ?', [id]);
        return rs.rows.length ? Number(rs.rows[0]!.balance_cents) : null;
      };
      for (let i = 1; i <= 60; i++) {
        const store = i % 3 === 0 ? reader : writer;
        const account = `acct_${i % 4}`;
        if (i % 7 === 0) {
          // The same source twice with different amounts: refused, the whole unit rolls back.
          await assert.rejects(
            store.write(now, (unit) => {
              unit.creditLedger({ accountId: account, amountCents: 999, kind: 'grant', sourceId: `rb_${i}` });
              unit.creditLedger({ accountId: account, amountCents: 998, kind: 'grant', sourceId: `rb_${i}` });
            }),
            { code: 'idempotency_conflict' },
          );
        } else {
          await store.write(now, (unit) =>
            unit.creditLedger({ accountId: account, amountCents: i, kind: 'grant', sourceId: `s_${i}` }),
          );
        }
        if (i % 20 === 0) await writer.sql.run('PRAGMA wal_checkpoint(TRUNCATE)');
        for (const id of ['acct_0', 'acct_1', 'acct_2', 'acct_3', 'nobody']) {
          // Twice: the second answer comes from the cache and must be just as right.
          assert.equal(reader.balance(id), await plain(id), `after step ${i}, ${id}`);
          assert.equal(reader.balance(id), await plain(id), `after step ${i}, ${id} (cached)`);
        }
      }
      await reader.close();
      await writer.close();
    } finally {
      cleanup();
    }
  });

  test('never serves a balance older than a commit another process has reported', async () => {
    const { dir, url, cleanup } = tempDir();
    try {
      const reader = await openStore({ url });
      assert.equal(reader.balance('acct_x'), null);
      const script = join(dir, 'writer.mts');
      writeFileSync(
        script,
        `import { openStore } from ${JSON.stringify(join(root, 'server/src/store/open-store.ts'))};
const store = await openStore({ url: ${JSON.stringify(url)} });
for (let i = 1; i <= 40; i++) {
  await store.write(new Date(), (unit) => unit.creditLedger({ accountId: 'acct_x', amountCents: 1, kind: 'grant', sourceId: 'w' + i }));
  console.log(i);
}
await store.close();
`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let checked = 0;
      for await (const line of createInterface({ input: child.stdout })) {
        const committed = Number(line);
        // The writer printed after its COMMIT returned: the reader must see at least that much.
        const seen = (reader.balance('acct_x') as number | null) ?? 0;
        assert.ok(seen >= committed, `read ${seen} after the writer committed ${committed}`);
        checked++;
      }
      assert.equal(checked, 40);
      assert.equal(reader.balance('acct_x'), 40);
      await reader.close();
    } finally {
      cleanup();
    }
  });
});
