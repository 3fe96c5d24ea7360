/** One task as served by the API. The wire shape is part of the public contract. */
export interface Task {
  readonly id: number;
  readonly name: string;
  readonly description: string;
}

/** The static data set. Key order matters: it is the order of the JSON properties on the wire. */
export const tasks: readonly Task[] = Object.freeze([
  Object.freeze({ id: 1, name: 'task1', description: 'This is task 1' }),
  Object.freeze({ id: 2, name: 'task2', description: 'This is task 2' }),
  Object.freeze({ id: 3, name: 'task3', description: 'This is task 3' }),
]);
