import type { ClientBase } from 'pg';
import type { Logger } from './logger';
import { tasks } from './tasks';

/**
 * Schema migrations, applied in order at start-up and recorded in `schema_migrations` (one row
 * per version), the way most migration tools do it. Append new ones; never edit an applied one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(client: ClientBase): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create_tasks',
    async up(client) {
      await client.query('CREATE TABLE tasks (id integer PRIMARY KEY, name text NOT NULL, description text NOT NULL)');
    },
  },
  {
    // The seed data (the pattern's "load the data" step): loaded once, with the migration.
    version: 2,
    name: 'seed_tasks',
    async up(client) {
      for (const task of tasks) {
        await client.query('INSERT INTO tasks (id, name, description) VALUES ($1, $2, $3)', [task.id, task.name, task.description]);
      }
    },
  },
];

/**
 * Key of the transaction-level advisory lock that serialises migrations across every task
 * starting at once ("task" in ASCII). Any other writer of this schema must use the same key.
 */
export const MIGRATION_LOCK_KEY = 0x7461736b;

/**
 * Applies the pending migrations in one transaction, under `pg_advisory_xact_lock`: tasks that
 * start together queue on the lock, and each later one finds the versions already recorded.
 * PostgreSQL DDL is transactional, so a failed migration leaves nothing half-applied. Returns
 * the versions this call applied.
 */
export async function runMigrations(client: ClientBase, logger: Logger, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: Migration[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await migration.up(client);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  for (const migration of applied) logger.info('migration applied', { version: migration.version, name: migration.name });
  return applied.map((migration) => migration.version);
}
