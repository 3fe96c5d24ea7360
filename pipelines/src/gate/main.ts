import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { checkPromotedCommit } from './checkPromotedCommit';

const USAGE = 'usage: tsx pipelines/src/gate/main.ts --previous-pipeline <name> --commit <id> --region <region>\n';

/** The promotion gate's entry point, run by the `Gate-<Env>` step of every pipeline but the first. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const previousPipeline = option('--previous-pipeline');
  const commit = option('--commit');
  const region = option('--region');
  if (!previousPipeline || !commit || !region) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const client = new CodePipelineClient({ region });
  try {
    process.exitCode = await checkPromotedCommit({ previousPipeline, commit, client, write: (line) => process.stdout.write(`${line}\n`) });
  } catch (error) {
    process.stderr.write(`gate: could not read ${previousPipeline}'s runs: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 2;
  } finally {
    client.destroy();
  }
}

void main();
