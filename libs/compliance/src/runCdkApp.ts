/**
 * Runs a CDK app's entry point and turns any failure (an invalid deployment config, a
 * construct rejecting its props) into one readable message on stderr and exit code 1, never a
 * stack trace. Set `CDK_DEBUG_STACK=1` to see the stack when debugging the app itself.
 */
export async function runCdkApp(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Synth failed: ${message}\n`);
    if (process.env['CDK_DEBUG_STACK'] === '1' && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    process.exitCode = 1;
  }
}
