import type { Task } from './tasks';

/**
 * Where the tasks live when they are not the built-in constants: the PostgreSQL store
 * (postgresTaskStore.ts). Without a store the server answers from prepared in-memory responses.
 */
export interface TaskStore {
  /** False until the schema migrations have run; requests for tasks get a 503 until then. */
  readonly ready: boolean;
  /** Every task, ordered by id. */
  listTasks(): Promise<readonly Task[]>;
  /** One task, or `undefined` when no task has that id. */
  getTask(id: number): Promise<Task | undefined>;
  /** A cheap round trip to the database (readiness detail); never rejects. */
  ping(): Promise<boolean>;
  /** Stops background work and closes every connection. Idempotent. */
  close(): Promise<void>;
}

/** The store cannot answer now (database down, timeout, pool exhausted, not migrated yet): a 503. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
