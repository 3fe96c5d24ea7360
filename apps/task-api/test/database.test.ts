import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseConfig } from '../src/config';
import { createPostgresTaskStore, type PostgresTaskStore } from '../src/postgresTaskStore';
import { delay, startApi, TASKS_JSON, type RunningApi } from './helpers';
import { adminClient, createTestDatabase, memoryLogger, readCa, startDatabaseProxy, startedStore, testPostgres, type DatabaseProxy, type TestDatabase } from './postgres/testDatabase';

const UNAVAILABLE = '{"error":{"code":"service_unavailable","message":"The task store is unavailable; retry later"}}';
/** Small timeouts, so that the "never a hang" bounds are quick to check. */
const FAST: Partial<DatabaseConfig> = { connectTimeoutMs: 300, queryTimeoutMs: 500 };

let db: TestDatabase;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase('resilience');
  // Migrate once, so each test's store finds the schema in place.
  const store = await startedStore(db.config());
  await store.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

afterAll(async () => {
  await db?.drop();
});

/** A store through a proxy the test can take down, and the API on it. */
async function serviceBehindProxy(overrides: Partial<DatabaseConfig> = {}): Promise<{ proxy: DatabaseProxy; store: PostgresTaskStore; running: RunningApi }> {
  const proxy = await startDatabaseProxy();
  cleanups.push(() => proxy.close());
  const store = await startedStore(db.config({ ...FAST, port: proxy.port, ...overrides }));
  cleanups.push(() => store.close());
  const running = await startApi({ store });
  cleanups.push(() => running.api.close());
  return { proxy, store, running };
}

async function timed(url: string): Promise<{ status: number; body: string; ms: number; contentType: string | null; retryAfter: string | null }> {
  const start = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  return { status: response.status, body, ms: performance.now() - start, contentType: response.headers.get('content-type'), retryAfter: response.headers.get('retry-after') };
}

describe('database outage', () => {
  it('GIVEN a serving task WHEN the database goes away THEN a quick JSON 503, healthz and readyz stay 200, and it recovers when the database returns', async () => {
    // GIVEN a task serving from the database
    const { proxy, running } = await serviceBehindProxy();
    expect((await timed(`${running.baseUrl}/api/tasks`)).body).toBe(TASKS_JSON);

    // WHEN the database refuses connections (and the pooled ones are cut)
    await proxy.down();

    // THEN data requests get a JSON 503 with Retry-After, well within the connect timeout
    for (const path of ['/api/tasks', '/api/task/2']) {
      const answer = await timed(`${running.baseUrl}${path}`);
      expect(answer).toMatchObject({ status: 503, body: UNAVAILABLE, contentType: 'application/json; charset=utf-8', retryAfter: '1' });
      expect(answer.ms).toBeLessThan(1_000);
    }
    // AND validation still answers without the database
    expect((await timed(`${running.baseUrl}/api/task/abc`)).status).toBe(400);
    // AND liveness is unaffected, readiness stays 200 but says the database is down
    expect(await timed(`${running.baseUrl}/healthz`)).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(await timed(`${running.baseUrl}/readyz`)).toMatchObject({ status: 200, body: '{"status":"degraded","database":"unavailable"}' });
    expect(running.logs.some((line) => line['msg'] === 'task store unavailable' && line['level'] === 'warn')).toBe(true);
    expect(running.logs.find((line) => line['msg'] === 'request' && line['status'] === 503)).toMatchObject({ level: 'error' });

    // WHEN the database comes back THEN the next requests succeed, with no restart
    await proxy.up();
    expect(await timed(`${running.baseUrl}/api/task/2`)).toMatchObject({ status: 200, body: '{"id":2,"name":"task2","description":"This is task 2"}' });
    expect(await timed(`${running.baseUrl}/readyz`)).toMatchObject({ status: 200, body: '{"status":"ready","database":"ok"}' });
  });

  it('GIVEN a database that accepts connections but never answers THEN a JSON 503 within the connect timeout, never a hang', async () => {
    const { proxy, running } = await serviceBehindProxy();
    await proxy.blackhole();
    const answer = await timed(`${running.baseUrl}/api/tasks`);
    expect(answer).toMatchObject({ status: 503, body: UNAVAILABLE });
    expect(answer.ms).toBeGreaterThanOrEqual(250);
    expect(answer.ms).toBeLessThan(1_500);
    await proxy.up();
    expect((await timed(`${running.baseUrl}/api/tasks`)).status).toBe(200);
  });

  it('GIVEN the server ends every connection of the pool (failover, restart) THEN the pool reconnects and requests succeed', async () => {
    const { store, running } = await serviceBehindProxy({ port: testPostgres().port });
    await Promise.all([1, 2, 3].map((id) => fetch(`${running.baseUrl}/api/task/${id}`).then((response) => response.text())));
    const admin = await adminClient();
    try {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'task-api'", [db.name]);
    } finally {
      await admin.end();
    }
    await expect.poll(() => store.pool.totalCount, { timeout: 5_000 }).toBe(0);
    expect(await timed(`${running.baseUrl}/api/tasks`)).toMatchObject({ status: 200, body: TASKS_JSON });
  });

  it('GIVEN the database is unreachable at start-up THEN healthz is 200, readyz and the task routes 503 until the migrations ran', async () => {
    // GIVEN a task starting while the database is down
    const proxy = await startDatabaseProxy();
    cleanups.push(() => proxy.close());
    await proxy.down();
    const { logger, logs } = memoryLogger();
    const store = createPostgresTaskStore(db.config({ ...FAST, port: proxy.port }), logger);
    cleanups.push(() => store.close());
    const started = store.start();
    const running = await startApi({ store });
    cleanups.push(() => running.api.close());

    // THEN it is alive but not ready, and says why
    expect((await timed(`${running.baseUrl}/healthz`)).status).toBe(200);
    expect(await timed(`${running.baseUrl}/readyz`)).toMatchObject({ status: 503, body: '{"status":"starting","database":"migrating"}' });
    expect(await timed(`${running.baseUrl}/api/tasks`)).toMatchObject({ status: 503, body: UNAVAILABLE });
    await expect.poll(() => logs.some((line) => line['msg'] === 'database not ready, retrying')).toBe(true);

    // WHEN the database appears THEN the retry loop migrates and the task becomes ready
    await proxy.up();
    await expect(started).resolves.toBe(true);
    expect(await timed(`${running.baseUrl}/readyz`)).toMatchObject({ status: 200 });
    expect(await timed(`${running.baseUrl}/api/tasks`)).toMatchObject({ status: 200, body: TASKS_JSON });
  });

  it('GIVEN a store still retrying WHEN it is closed THEN start() gives up at once', async () => {
    const proxy = await startDatabaseProxy();
    cleanups.push(() => proxy.close());
    await proxy.down();
    const store = createPostgresTaskStore(db.config({ ...FAST, port: proxy.port }), memoryLogger().logger);
    const started = store.start();
    await delay(100);
    await store.close();
    await expect(started).resolves.toBe(false);
  });
});

describe('concurrent reads', () => {
  it('GIVEN 20 identical reads at once THEN they share one query, and a later read queries again', async () => {
    const store = await startedStore(db.config());
    cleanups.push(() => store.close());
    const spy = vi.spyOn(store.pool, 'query');
    const answers = await Promise.all(Array.from({ length: 20 }, () => store.getTask(2)));
    expect(answers.every((task) => task?.name === 'task2')).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    await store.listTasks();
    await store.getTask(2);
    expect(spy).toHaveBeenCalledTimes(3);
  });
});

describe('pool exhaustion', () => {
  it('GIVEN every pooled connection busy THEN further requests wait at most the connect timeout for a 503, and all is well once they free up', async () => {
    // GIVEN a pool of 2 and a table locked by another session, so queries block
    const { store, running } = await serviceBehindProxy({ poolMax: 2, port: testPostgres().port, connectTimeoutMs: 300, queryTimeoutMs: 1_500 });
    const locker = await adminClient(db.name);
    cleanups.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');

    // WHEN two requests take both connections and a third arrives
    const blocked = [timed(`${running.baseUrl}/api/tasks`), timed(`${running.baseUrl}/api/task/1`)];
    await expect.poll(() => store.pool.waitingCount === 0 && store.pool.totalCount === 2 && store.pool.idleCount === 0).toBe(true);
    const third = await timed(`${running.baseUrl}/api/task/2`);

    // THEN the third is a 503 after ~the connect timeout, and the pool never grew past its bound
    expect(third).toMatchObject({ status: 503, body: UNAVAILABLE });
    expect(third.ms).toBeGreaterThanOrEqual(250);
    expect(third.ms).toBeLessThan(1_000);
    expect(store.pool.totalCount).toBe(2);

    // AND the blocked two end with the statement timeout, as 503s, not hangs
    for (const answer of await Promise.all(blocked)) {
      expect(answer).toMatchObject({ status: 503, body: UNAVAILABLE });
      expect(answer.ms).toBeLessThan(3_000);
    }

    // WHEN the lock is released THEN requests succeed again
    await locker.query('ROLLBACK');
    expect(await timed(`${running.baseUrl}/api/tasks`)).toMatchObject({ status: 200, body: TASKS_JSON });
  });
});

describe('TLS to the database', () => {
  it('GIVEN DB_SSL=verify-full and the CA that signed the server certificate THEN the store connects over TLS', async () => {
    const store = await startedStore(db.config({ ...FAST, host: 'localhost', sslMode: 'verify-full', ca: readCa(testPostgres().caFile) }));
    cleanups.push(() => store.close());
    expect(await store.listTasks()).toHaveLength(3);
    const rows = (await store.pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows;
    expect(rows).toEqual([{ ssl: true }]);
  });

  it('GIVEN DB_SSL=verify-full and another CA THEN the store refuses the server and never becomes ready', async () => {
    const { logger, logs } = memoryLogger();
    const store = createPostgresTaskStore(db.config({ ...FAST, host: 'localhost', sslMode: 'verify-full', ca: readCa(testPostgres().otherCaFile) }), logger);
    cleanups.push(() => store.close());
    void store.start();
    await expect.poll(() => logs.find((line) => line['msg'] === 'database not ready, retrying')).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(store.ready).toBe(false);
    await expect(store.listTasks()).rejects.toThrow(/not applied yet/);
  });

  it('GIVEN DB_SSL=verify-full without a CA file THEN the test CA is not trusted (Node trust store only)', async () => {
    const { logger, logs } = memoryLogger();
    const store = createPostgresTaskStore(db.config({ ...FAST, host: 'localhost', sslMode: 'verify-full' }), logger);
    cleanups.push(() => store.close());
    void store.start();
    await expect.poll(() => logs.find((line) => line['msg'] === 'database not ready, retrying')).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });
});

describe('closing the store', () => {
  it('GIVEN a serving task WHEN the server drains and the store closes THEN no connection of it is left on the server', async () => {
    const { logger, logs } = memoryLogger();
    const store = await startedStore(db.config({ ...FAST, poolMax: 3 }), logger);
    const running = await startApi({ store });
    await Promise.all([1, 2, 3].map((id) => fetch(`${running.baseUrl}/api/task/${id}`).then((response) => response.text())));
    const countConnections = async (): Promise<number> => {
      const rows = await db.query<{ count: string }>("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'task-api'", [db.name]);
      return Number(rows[0]?.count);
    };
    expect(await countConnections()).toBeGreaterThan(0);

    await running.api.close();
    await store.close();

    expect(store.pool.totalCount).toBe(0);
    await expect.poll(countConnections).toBe(0);
    expect(logs.find((line) => line['msg'] === 'database pool closed')).toMatchObject({ level: 'info' });
    await expect(store.close()).resolves.toBeUndefined();
    expect(await timed(`${running.baseUrl}/api/tasks`).catch(() => 'refused')).toBe('refused');
  });
});
