/** Helpers of the pipeline step CLIs' argument tests. */

/** `argv` with `flag`'s value replaced (or the flag and its value dropped when value is undefined). */
export function withFlag(argv: readonly string[], flag: string, value: string | undefined): string[] {
  const index = argv.indexOf(flag);
  const copy = [...argv];
  if (value === undefined) copy.splice(index, 2);
  else copy[index + 1] = value;
  return copy;
}

/** The error message of a parse result; fails the test when parsing did not fail. */
export function errorOf(result: { readonly kind: string }): string {
  if (result.kind !== 'error' || !('message' in result) || typeof result.message !== 'string') {
    throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  }
  return result.message;
}
