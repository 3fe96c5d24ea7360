import {
  CodePipelineClient,
  ListPipelineExecutionsCommand,
  type PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GATE_EXIT, checkPromotedCommit, type PromotedCommitOptions } from '../../src/gate/checkPromotedCommit';

const PREVIOUS = 'fixture-api-qa-delivery';
const COMMIT = '3f2c1a9b8e7d6c5b4a39281706f5e4d3c2b1a098';
const OTHER = '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567';

function run(id: string, status: PipelineExecutionSummary['status'], commit = COMMIT): PipelineExecutionSummary {
  return { pipelineExecutionId: id, status, sourceRevisions: [{ actionName: 'Checkout', revisionId: commit }] };
}

describe('the promotion gate', () => {
  let codepipeline: AwsClientStub<CodePipelineClient>;
  let lines: string[];
  let clock: number;
  let sleeps: number[];

  beforeEach(() => {
    codepipeline = mockClient(CodePipelineClient);
    lines = [];
    clock = 0;
    sleeps = [];
  });

  afterEach(() => {
    codepipeline.restore();
  });

  function gate(overrides: Partial<PromotedCommitOptions> = {}): Promise<number> {
    return checkPromotedCommit({
      previousPipeline: PREVIOUS,
      commit: COMMIT,
      client: new CodePipelineClient({ region: 'us-east-2' }),
      timeoutMs: 10 * 60_000,
      pollMs: 60_000,
      sleep: (ms) => {
        sleeps.push(ms);
        clock += ms;
        return Promise.resolve();
      },
      now: () => clock,
      write: (line) => lines.push(line),
      ...overrides,
    });
  }

  it('passes a commit the previous pipeline succeeded with (a promotion), reading only that pipeline', async () => {
    codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [run('e3', 'Failed', OTHER), run('e2', 'Succeeded')] });
    expect(await gate()).toBe(GATE_EXIT.passed);
    expect(lines).toEqual([`gate: ${COMMIT} passed ${PREVIOUS} (execution e2)`]);
    expect(codepipeline.commandCalls(ListPipelineExecutionsCommand).map((call) => call.args[0].input.pipelineName)).toEqual([PREVIOUS]);
  });

  it('waits while the previous run with the commit is still finishing, then passes', async () => {
    codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolvesOnce({ pipelineExecutionSummaries: [run('e4', 'InProgress')] })
      .resolves({ pipelineExecutionSummaries: [run('e4', 'Succeeded')] });
    expect(await gate()).toBe(GATE_EXIT.passed);
    expect(sleeps).toEqual([60_000]);
    expect(lines[0]).toBe(`gate: ${COMMIT} is still running in ${PREVIOUS}; looking again in 60 s`);
  });

  it('refuses a commit the previous pipeline never ran: the branch head after a self-mutation restart', async () => {
    codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [run('e5', 'Succeeded', OTHER)] });
    expect(await gate()).toBe(GATE_EXIT.refused);
    expect(lines).toEqual([
      `gate: ${COMMIT} has not passed ${PREVIOUS} (no run of it among the last 200): refusing to deploy it here. Push it through the earlier environments first.`,
    ]);
    expect(sleeps).toEqual([]);
  });

  it('refuses a commit that failed or was stopped there, naming its runs', async () => {
    codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [run('e6', 'Failed'), run('e7', 'Stopped')] });
    expect(await gate()).toBe(GATE_EXIT.refused);
    expect(lines[0]).toContain('(its runs: e6 Failed, e7 Stopped)');
  });

  it('gives up waiting at the deadline', async () => {
    codepipeline.on(ListPipelineExecutionsCommand).resolves({ pipelineExecutionSummaries: [run('e8', 'InProgress')] });
    expect(await gate()).toBe(GATE_EXIT.refused);
    expect(sleeps).toHaveLength(10); // looks at 0, 1, …, 10 minutes
    expect(lines.at(-1)).toContain('(its runs: e8 InProgress); gave up waiting for the run in progress');
  });

  it('reads further pages, up to its look-back', async () => {
    codepipeline.on(ListPipelineExecutionsCommand).callsFake((input: { nextToken?: string }) =>
      input.nextToken === undefined
        ? { pipelineExecutionSummaries: Array.from({ length: 50 }, (_, index) => run(`n${index}`, 'Succeeded', OTHER)), nextToken: 'page-2' }
        : { pipelineExecutionSummaries: [run('old', 'Succeeded')], nextToken: 'page-3' },
    );
    expect(await gate()).toBe(GATE_EXIT.passed);
    expect(codepipeline.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(2);
    codepipeline.resetHistory();
    lines = [];
    expect(await gate({ lookBack: 50 })).toBe(GATE_EXIT.refused);
    expect(codepipeline.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(1);
  });

  it('refuses something that is not a commit id without calling AWS', async () => {
    expect(await gate({ commit: '$(curl evil)' })).toBe(GATE_EXIT.refused);
    expect(lines).toEqual(['gate: the commit must be a git commit id, got "$(curl evil)"']);
    expect(codepipeline.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(0);
  });

  it('rejects on an AWS error (the entry point exits 2 with it)', async () => {
    codepipeline.on(ListPipelineExecutionsCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    await expect(gate()).rejects.toThrow('User is not authorized');
  });
});
