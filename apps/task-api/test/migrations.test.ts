import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/migrations';
import { createTestDatabase, memoryLogger, startedStore, type TestDatabase } from './postgres/testDatabase';

describe('schema migrations at start-up', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migrations');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('GIVEN an empty database WHEN 8 tasks start at once THEN each migration runs exactly once and the seed is loaded once', async () => {
    // GIVEN 8 services starting together against the same empty database
    const loggers = Array.from({ length: 8 }, () => memoryLogger());
    // WHEN each one migrates
    const stores = await Promise.all(loggers.map(({ logger }) => startedStore(db.config({ poolMax: 2 }), logger)));
    try {
      // THEN every store is ready, one of them applied both versions and no other applied any
      expect(stores.every((store) => store.ready)).toBe(true);
      const applied = loggers.flatMap(({ logs }) => logs.filter((line) => line['msg'] === 'migration applied'));
      expect(applied.map((line) => line['version'])).toEqual(MIGRATIONS.map((migration) => migration.version));
      expect(new Set(loggers.filter(({ logs }) => logs.some((line) => line['msg'] === 'migration applied')).map((_, index) => index)).size).toBe(1);
      // AND the table holds the three seed tasks once, and schema_migrations one row per version
      expect(await db.query('SELECT id, name, description FROM tasks ORDER BY id')).toEqual([
        { id: 1, name: 'task1', description: 'This is task 1' },
        { id: 2, name: 'task2', description: 'This is task 2' },
        { id: 3, name: 'task3', description: 'This is task 3' },
      ]);
      expect(await db.query('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
        { version: 1, name: 'create_tasks' },
        { version: 2, name: 'seed_tasks' },
      ]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('GIVEN a migrated database WHEN a task restarts THEN nothing is applied again and deleted seed rows stay deleted', async () => {
    // GIVEN an operator removed a seed task after the first start
    await db.query('DELETE FROM tasks WHERE id = 3');
    const { logger, logs } = memoryLogger();
    // WHEN a new task starts
    const store = await startedStore(db.config(), logger);
    try {
      // THEN no migration ran, and the seed was not loaded again
      expect(logs.filter((line) => line['msg'] === 'migration applied')).toEqual([]);
      expect(await store.listTasks()).toHaveLength(2);
    } finally {
      await store.close();
      await db.query("INSERT INTO tasks VALUES (3, 'task3', 'This is task 3')");
    }
  });
});
