/** The `--flag value` / `--flag=value` parsing shared by the pipeline step CLIs (smoke, accept, bake). */

/** One accepted flag. */
export interface FlagSpec {
  readonly required: boolean;
  /** Undefined when the value is valid, else what it must be (e.g. `must be an AWS region name`). */
  readonly check: (value: string) => string | undefined;
}

/** The flags' raw values (only those given, each checked), a request for help, or the one-line reason the command line is wrong. */
export type FlagsParse<Name extends string> =
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'values'; readonly values: ReadonlyMap<Name, string> };

/**
 * Parses `argv` (without the node and script paths) against `flags`. Accepts `--flag value` and
 * `--flag=value`; rejects positional arguments and unknown, repeated and empty flags, then reports
 * the first flag (in `flags` order) that is missing though required or fails its check. The
 * message carries no usage line: each CLI adds its own. Pure: no I/O.
 */
export function parseFlags<Name extends string>(argv: readonly string[], flags: Readonly<Record<Name, FlagSpec>>): FlagsParse<Name> {
  const isFlagName = (name: string): name is Name => Object.hasOwn(flags, name);
  const values = new Map<Name, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? '';
    if (token === '--help' || token === '-h') return { kind: 'help' };
    if (!token.startsWith('--')) return error(`unexpected argument "${token}"`);

    const equals = token.indexOf('=');
    const name = equals === -1 ? token : token.slice(0, equals);
    if (!isFlagName(name)) return error(`unknown option ${name}`);
    if (values.has(name)) return error(`${name} given more than once`);

    let value: string;
    if (equals !== -1) {
      value = token.slice(equals + 1);
    } else {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) return error(`${name} needs a value`);
      value = next;
      index += 1;
    }
    if (value.trim() === '') return error(`${name} needs a value`);
    values.set(name, value);
  }

  for (const [name, flag] of Object.entries(flags) as [Name, FlagSpec][]) {
    const value = values.get(name);
    if (value === undefined) {
      if (flag.required) return error(`missing ${name}`);
      continue;
    }
    const problem = flag.check(value);
    if (problem !== undefined) return error(`${name} ${problem} (got "${value}")`);
  }
  return { kind: 'values', values };
}

/** A check accepting the whole numbers from `low` to `high`; `unit` (e.g. `milliseconds`) only words the message. */
export function wholeNumber(low: number, high: number, unit?: string): FlagSpec['check'] {
  const what = unit === undefined ? 'a whole number' : `a whole number of ${unit}`;
  return (value) => (/^\d+$/.test(value) && Number(value) >= low && Number(value) <= high ? undefined : `must be ${what} from ${low} to ${high}`);
}

function error(message: string): { readonly kind: 'error'; readonly message: string } {
  return { kind: 'error', message };
}
