/** The process wrapper shared by the pipeline step CLIs (smoke, accept, bake). */

/** Exit code of a command line that could not be parsed. */
export const USAGE_ERROR = 2;

/** What a `parse*Args` function returns. */
export type CliArgsParse<Args> =
  | { readonly kind: 'args'; readonly args: Args }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

export interface CliProps<Args> {
  /** Printed to stdout on `--help`. */
  readonly usage: string;
  readonly parse: (argv: readonly string[]) => CliArgsParse<Args>;
  /** Runs the step on valid arguments; resolves to the exit code. */
  readonly run: (args: Args) => Promise<number>;
  /** Starts the one line printed when `run` rejects, e.g. `✗ Bake FAILED`. */
  readonly failurePrefix: string;
  /** Exit code when `run` rejects. */
  readonly failureExitCode: number;
}

/**
 * Parses `argv` and runs the step, setting `process.exitCode`: 0 after help (usage on stdout),
 * {@link USAGE_ERROR} after a usage error (its one line on stderr), else what `run` resolves to.
 * Never rejects.
 */
export async function runCli<Args>(argv: readonly string[], props: CliProps<Args>): Promise<void> {
  try {
    process.exitCode = await parseAndRun(argv, props);
  } catch (error: unknown) {
    // The steps report their failures and do not throw; this keeps a stack trace out of the pipeline log regardless.
    process.stderr.write(`${props.failurePrefix}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = props.failureExitCode;
  }
}

async function parseAndRun<Args>(argv: readonly string[], props: CliProps<Args>): Promise<number> {
  const parsed = props.parse(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(`${props.usage}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`${parsed.message}\n`);
    return USAGE_ERROR;
  }
  return props.run(parsed.args);
}
