import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Client, createClient, LibsqlError, type ResultSet } from '@libsql/client';
import type { Store } from './db.ts';
import { tempDatabase as tempStore } from './old-machinery-test-support.ts';
import { WriteConnection } from './write-connection.ts';
import { writeLockFor } from './write-lock.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));

let store: Store;
/** A plain @libsql/client on the same file: the behaviour to match. */
let reference: Client;
let path: string;
let writer: WriteConnection;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  let url: string;
  ({ store, url, cleanup } = await tempStore());
  path = url.slice('file:'.length);
  writer = new WriteConnection(path, writeLockFor(path), 2000, 300);
  reference = createClient({ url });
  await store.client.execute(
    'CREATE TABLE samples (id INTEGER PRIMARY KEY, label TEXT UNIQUE, cents INTEGER, ratio REAL, raw BLOB, note TEXT)',
  );
});
afterEach(async () => {
  reference.close();
  writer.close();
  await cleanup();
});

/** Everything a caller can observe of a result set, row by row. */
function observable(rs: ResultSet) {
  return {
    keys: Object.keys(rs),
    columns: rs.columns,
    columnTypes: rs.columnTypes,
    rowsAffected: rs.rowsAffected,
    lastInsertRowid: rs.lastInsertRowid,
    json: JSON.stringify(rs),
    rows: rs.rows.map((row) => ({
      length: row.length,
      keys: Object.keys(row),
      byIndex: Array.from({ length: row.length }, (_, i) => row[i]),
      byName: Object.fromEntries(rs.columns.map((c) => [c, row[c]])),
      spread: { ...row },
    })),
  };
}

describe('WriteConnection', () => {
  test('answers exactly what @libsql/client answers, statement for statement', async () => {
    const statements = [
      {
        sql: 'INSERT INTO samples (label, cents, ratio, raw, note) VALUES (?, ?, ?, ?, ?)',
        args: ['a', 1250, 0.5, new Uint8Array([1, 2, 3]).buffer, null],
      },
      {
        sql: 'INSERT INTO samples (label, cents) VALUES (:label, :cents)',
        args: { label: 'b', cents: 2 ** 40 },
      },
      {
        sql: 'INSERT INTO samples (label, cents) VALUES ($label, @cents)',
        args: { label: 'c', cents: true },
      },
      { sql: "UPDATE samples SET note = 'seen' WHERE cents > ?", args: [0] },
      { sql: 'SELECT * FROM samples ORDER BY id', args: [] },
      {
        sql: 'SELECT label, label AS label, COUNT(*) AS n FROM samples WHERE id > ? GROUP BY label',
        args: [1],
      },
      { sql: 'SELECT id FROM samples WHERE label = ?', args: ['nobody'] },
      { sql: "INSERT INTO samples (label) VALUES ('r') RETURNING id, label", args: [] },
      { sql: 'DELETE FROM samples WHERE label = ?', args: ['r'] },
    ];
    // The client runs them (committed), then the write connection runs them again on an empty table.
    const expected = [];
    for (const s of statements) expected.push(observable(await reference.execute(s)));
    // Plain reads through the store take the read connection: the same answers.
    for (const i of [4, 5, 6])
      assert.deepEqual(observable(await store.client.execute(statements[i]!)), expected[i]);
    await reference.execute('DELETE FROM samples');
    const tx = await writer.begin();
    const actual = [];
    for (const s of statements) actual.push(observable(await tx.execute(s)));
    await tx.rollback();
    assert.deepEqual(actual, expected);
    const blob = actual[4]!.rows[0]!.byName.raw;
    assert.ok(blob instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(blob)], [1, 2, 3]);
    assert.equal(actual[4]!.rows[1]!.byName.cents, 2 ** 40);
    assert.equal(actual[0]!.lastInsertRowid, 1n);
    assert.equal(actual[3]!.rowsAffected, 3);
  });

  test('refuses what the client refuses, with the same errors', async () => {
    await store.client.execute("INSERT INTO samples (label) VALUES ('taken')");
    const viaClient = await reference
      .execute({ sql: 'INSERT INTO samples (label) VALUES (?)', args: ['taken'] })
      .catch((e: unknown) => e);
    const tx = await writer.begin();
    const viaWriter = await tx
      .execute({ sql: 'INSERT INTO samples (label) VALUES (?)', args: ['taken'] })
      .catch((e: unknown) => e);
    assert.ok(viaWriter instanceof LibsqlError && viaClient instanceof LibsqlError);
    assert.deepEqual(
      [viaWriter.code, viaWriter.extendedCode, viaWriter.rawCode, viaWriter.message],
      [viaClient.code, viaClient.extendedCode, viaClient.rawCode, viaClient.message],
    );
    await assert.rejects(tx.execute({ sql: 'SELECT ?', args: [Number.NaN] }), RangeError);
    await assert.rejects(tx.execute({ sql: 'SELECT ?', args: [undefined as unknown as null] }), TypeError);
    await assert.rejects(tx.execute('SELECT 9223372036854775807'), RangeError);
    await assert.rejects(tx.execute('SELEKT 1'), { code: 'SQLITE_ERROR' });
    // The transaction is still usable after statement errors, and commits.
    await tx.execute({ sql: 'INSERT INTO samples (label) VALUES (?)', args: ['fresh'] });
    await tx.commit();
    assert.equal(tx.closed, true);
    await assert.rejects(tx.execute('SELECT 1'), { code: 'TRANSACTION_CLOSED' });
    const labels = await store.client.execute('SELECT label FROM samples ORDER BY label');
    assert.deepEqual(
      labels.rows.map((r) => r.label),
      ['fresh', 'taken'],
    );
  });

  test('plain reads through the store fail as the client fails, and the next read works', async () => {
    for (const sql of ['SELECT * FROM nowhere', 'SELECT 9223372036854775807']) {
      const expected = await reference.execute(sql).catch((e: unknown) => e);
      const actual = await store.client.execute(sql).catch((e: unknown) => e);
      assert.ok(expected instanceof Error && actual instanceof Error, sql);
      assert.equal(actual.constructor, expected.constructor);
      assert.equal(actual.message, expected.message);
      assert.equal((actual as LibsqlError).code, (expected as LibsqlError).code);
    }
    await reference.execute("INSERT INTO samples (label) VALUES ('seen')");
    const rs = await store.client.execute({
      sql: 'SELECT label FROM samples WHERE label = ?',
      args: ['seen'],
    });
    assert.deepEqual(
      rs.rows.map((r) => r.label),
      ['seen'],
    );
  });

  test('plain reads through the store see each commit of another connection at once', async () => {
    const read = async () =>
      Number((await store.client.execute('SELECT COUNT(*) AS n FROM samples')).rows[0]!.n);
    for (let i = 1; i <= 20; i++) {
      await reference.execute({ sql: 'INSERT INTO samples (label) VALUES (?)', args: [`r${i}`] });
      assert.equal(await read(), i);
    }
  });

  test('a failed COMMIT leaves nothing written, the file writable and other readers current', async () => {
    await store.client.execute('CREATE TABLE parents (id TEXT PRIMARY KEY)');
    await store.client.execute(
      'CREATE TABLE children (id TEXT PRIMARY KEY, parent TEXT REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    const tx = await writer.begin();
    await tx.execute("INSERT INTO samples (label) VALUES ('lost')");
    await tx.execute("INSERT INTO children (id, parent) VALUES ('c', 'missing')");
    await assert.rejects(tx.commit(), /FOREIGN KEY constraint failed/);
    assert.equal(tx.closed, true);
    // Another writer (the client, as another part of the server would) gets the lock at once.
    await store.client.execute("INSERT INTO samples (label) VALUES ('other')");
    const next = await writer.begin();
    const seen = await next.execute('SELECT label FROM samples');
    assert.deepEqual(
      seen.rows.map((r) => r.label),
      ['other'],
    );
    await next.execute("INSERT INTO samples (label) VALUES ('next')");
    await next.commit();
    const all = await store.client.execute('SELECT label FROM samples ORDER BY label');
    assert.deepEqual(
      all.rows.map((r) => r.label),
      ['next', 'other'],
    );
  });

  test('a COMMIT sent as a statement that fails does not leave the next transaction an old snapshot', async () => {
    await store.client.execute('CREATE TABLE parents (id TEXT PRIMARY KEY)');
    await store.client.execute(
      'CREATE TABLE children (id TEXT PRIMARY KEY, parent TEXT REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    const tx = await writer.begin();
    await tx.execute("INSERT INTO children (id, parent) VALUES ('c', 'missing')");
    // libSQL leaves a failed prepared COMMIT active, pinning the snapshot it was taken in.
    await assert.rejects(tx.execute('COMMIT'), /FOREIGN KEY constraint failed/);
    tx.close();
    await store.client.execute("INSERT INTO samples (label) VALUES ('other')");
    const next = await writer.begin();
    const seen = await next.execute('SELECT label FROM samples');
    assert.deepEqual(
      seen.rows.map((r) => r.label),
      ['other'],
    );
    await next.execute("INSERT INTO samples (label) VALUES ('next')");
    await next.commit();
    const all = await store.client.execute('SELECT COUNT(*) AS n FROM samples');
    assert.equal(all.rows[0]!.n, 2);
  });

  test("holds the process's write queue from BEGIN to the end, so client writes wait their turn", async () => {
    const tx = await writer.begin();
    let clientWrote = false;
    const clientWrite = store.client.execute("INSERT INTO samples (label) VALUES ('client')").then(() => {
      clientWrote = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(clientWrote, false, 'the client write waits instead of meeting the busy timeout');
    await tx.execute("INSERT INTO samples (label) VALUES ('writer')");
    await tx.commit();
    await clientWrite;
    assert.equal(clientWrote, true);
    const rows = await store.client.execute('SELECT COUNT(*) AS n FROM samples');
    assert.equal(rows.rows[0]!.n, 2);
  });

  test('a BUSY from another process fails BEGIN after the busy timeout; the next transaction opens afresh', async () => {
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const Database = require('libsql');
const db = new Database(${JSON.stringify(path)});
db.exec('BEGIN IMMEDIATE');
console.log('locked');
process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`,
      ],
      { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const [line] = await once(createInterface({ input: holder.stdout! }), 'line');
    assert.equal(line, 'locked');
    try {
      await assert.rejects(writer.begin(), { code: 'SQLITE_BUSY' });
    } finally {
      holder.stdin!.write('go\n');
      if (holder.exitCode === null) await once(holder, 'exit');
    }
    const tx = await writer.begin();
    await tx.execute("INSERT INTO samples (label) VALUES ('after')");
    await tx.commit();
    const rows = await store.client.execute("SELECT COUNT(*) AS n FROM samples WHERE label = 'after'");
    assert.equal(rows.rows[0]!.n, 1);
  });

  test('a closed connection refuses new transactions', async () => {
    writer.close();
    await assert.rejects(writer.begin(), { code: 'CLIENT_CLOSED' });
  });
});
