import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { sql } from './sql.ts';
import { WriteConnection } from './write-connection.ts';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'billing-writer-'));
  path = join(dir, 'billing.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const countOf = (writer: WriteConnection) =>
  Number(writer.connection.run(sql('SELECT COUNT(*) FROM samples')).rows[0]![0]);

describe('WriteConnection', () => {
  test('a plain transaction commits what it ran and rolls back what threw', async () => {
    const writer = new WriteConnection(path);
    try {
      writer.open(true);
      await writer.transaction((conn) => conn.exec('CREATE TABLE samples (label TEXT UNIQUE)'));
      await writer.transaction((conn) => conn.run(sql("INSERT INTO samples VALUES ('a')")));
      await assert.rejects(
        writer.transaction((conn) => {
          conn.run(sql("INSERT INTO samples VALUES ('b')"));
          conn.run(sql("INSERT INTO samples VALUES ('a')"));
        }),
        { code: 'SQLITE_CONSTRAINT_UNIQUE' },
      );
      assert.equal(countOf(writer), 1);
      assert.equal(writer.inTransaction, false);
    } finally {
      writer.close();
    }
  });

  test('waits for another holder of the write lock, then fails with SQLITE_BUSY; the next transaction works', async () => {
    const writer = new WriteConnection(path, { busyTimeoutMs: 150 });
    const other = new WriteConnection(path);
    try {
      writer.open(true);
      assert.equal(other.tryBegin(), true);
      assert.equal(writer.tryBegin(), false);
      const started = performance.now();
      await assert.rejects(
        writer.transaction(() => {}),
        { code: 'SQLITE_BUSY' },
      );
      assert.ok(performance.now() - started >= 140);
      other.connection.exec('ROLLBACK');
      await writer.transaction(() => {});
    } finally {
      other.close();
      writer.close();
    }
  });

  test('an in-memory database survives an error that replaces a file connection', async () => {
    const writer = new WriteConnection(':memory:');
    try {
      writer.open(false);
      await writer.transaction((conn) =>
        conn.exec("CREATE TABLE samples (label TEXT); INSERT INTO samples VALUES ('kept')"),
      );
      await assert.rejects(
        writer.transaction(() => {
          throw new Error('boom');
        }),
      );
      assert.equal(countOf(writer), 1);
    } finally {
      writer.close();
    }
  });

  test('a closed connection refuses new transactions', async () => {
    const writer = new WriteConnection(path);
    writer.open(true);
    writer.close();
    await assert.rejects(
      writer.transaction(() => {}),
      { code: 'STORE_CLOSED' },
    );
  });
});
