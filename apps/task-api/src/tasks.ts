/** A task as the API returns it. */
export interface Task {
  readonly id: number;
  readonly name: string;
  readonly description: string;
}

/** The seed data: the API's public contract, values included. */
export const TASKS: readonly Task[] = Object.freeze(
  [1, 2, 3].map((id) => Object.freeze({ id, name: `task${id}`, description: `This is task ${id}` })),
);
