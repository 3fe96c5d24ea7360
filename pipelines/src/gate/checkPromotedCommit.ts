import {
  CodePipelineClient,
  ListPipelineExecutionsCommand,
  type PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';

export interface PromotedCommitOptions {
  /** The previous environment's pipeline, which must have succeeded with the commit. */
  readonly previousPipeline: string;
  /** The commit this pipeline is about to deploy. */
  readonly commit: string;
  readonly client: CodePipelineClient;
  /** How long to wait for a run of the previous pipeline with the commit that is still in progress (default 20 minutes). */
  readonly timeoutMs?: number;
  /** Wait between two looks (default 30 s). */
  readonly pollMs?: number;
  /** Executions read per look, newest first (default 200: 4 pages of 50). */
  readonly lookBack?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly write: (line: string) => void;
}

/** Exit codes of {@link checkPromotedCommit}. */
export const GATE_EXIT = { passed: 0, refused: 1 } as const;

const COMMIT = /^[0-9a-f]{7,64}$/;

/** The runs of the pipeline (newest first, up to `lookBack`, until one succeeded) that deployed `commit`. */
async function runsWithCommit(options: PromotedCommitOptions, lookBack: number): Promise<PipelineExecutionSummary[]> {
  const found: PipelineExecutionSummary[] = [];
  let nextToken: string | undefined;
  let read = 0;
  do {
    const page = await options.client.send(
      new ListPipelineExecutionsCommand({ pipelineName: options.previousPipeline, maxResults: 50, nextToken }),
    );
    const executions = page.pipelineExecutionSummaries ?? [];
    read += executions.length;
    found.push(...executions.filter((execution) => (execution.sourceRevisions ?? []).some((revision) => revision.revisionId === options.commit)));
    nextToken = page.nextToken;
    // A success is the answer: no need to read older runs.
  } while (nextToken !== undefined && read < lookBack && !found.some((run) => run.status === 'Succeeded'));
  return found;
}

/**
 * The gate in front of every environment but the first: this pipeline deploys `commit` only if
 * the previous environment's pipeline succeeded with it. A promotion passes at once (or after
 * the previous run, still finishing its last action, succeeds); a run this pipeline started by
 * itself — a restart after it changed itself, which CodePipeline runs at the branch head — is
 * refused unless that head already passed the previous environment. Resolves to the exit code;
 * AWS errors (after the SDK's own retries) reject.
 */
export async function checkPromotedCommit(options: PromotedCommitOptions): Promise<number> {
  if (!COMMIT.test(options.commit)) {
    options.write(`gate: the commit must be a git commit id, got "${options.commit}"`);
    return GATE_EXIT.refused;
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => Date.now());
  const deadline = now() + (options.timeoutMs ?? 20 * 60_000);
  const pollMs = options.pollMs ?? 30_000;
  const lookBack = options.lookBack ?? 200;
  for (;;) {
    const runs = await runsWithCommit(options, lookBack);
    const passed = runs.find((run) => run.status === 'Succeeded');
    if (passed) {
      options.write(`gate: ${options.commit} passed ${options.previousPipeline} (execution ${passed.pipelineExecutionId ?? '?'})`);
      return GATE_EXIT.passed;
    }
    const running = runs.filter((run) => run.status === 'InProgress' || run.status === 'Stopping');
    if (running.length === 0 || now() + pollMs > deadline) {
      const seen = runs.map((run) => `${run.pipelineExecutionId ?? '?'} ${run.status ?? '?'}`).join(', ');
      options.write(
        `gate: ${options.commit} has not passed ${options.previousPipeline}` +
          (runs.length === 0 ? ` (no run of it among the last ${lookBack})` : ` (its runs: ${seen})`) +
          (running.length > 0 ? '; gave up waiting for the run in progress' : '') +
          ': refusing to deploy it here. Push it through the earlier environments first.',
      );
      return GATE_EXIT.refused;
    }
    options.write(`gate: ${options.commit} is still running in ${options.previousPipeline}; looking again in ${Math.round(pollMs / 1000)} s`);
    await sleep(pollMs);
  }
}
