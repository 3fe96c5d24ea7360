import { Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { EnvironmentConfig } from '@private-api/config';

/**
 * The name of the source action in every environment's pipeline: a promotion overrides the
 * revision of the action with this name.
 */
export const SOURCE_ACTION_NAME = 'Checkout';

/** Name of the CodePipeline that delivers one environment. */
export function deliveryPipelineName(environment: EnvironmentConfig): string {
  return `${environment.serviceName}-${environment.name}-delivery`.slice(0, 100);
}

export interface PromoteStepProps {
  /** The environment whose pipeline this step starts. */
  readonly next: EnvironmentConfig;
  /** The source of the pipeline the step runs in: its commit is the revision handed over. */
  readonly source: pipelines.CodePipelineSource;
}

/**
 * The last step of an environment's pipeline: starts the next environment's pipeline at the
 * commit this one deployed and tested (a CodePipeline invoke action, V2 pipelines only, with a
 * `COMMIT_ID` source-revision override), so a commit reaches an environment only after the
 * one before succeeded with it. Its role may do one thing: `codepipeline:StartPipelineExecution`
 * on that one pipeline.
 */
export class PromoteStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  /** The role the invoke action runs with; set when the pipeline is built. */
  public role?: iam.Role;
  private readonly next: EnvironmentConfig;
  private readonly commitId: string;

  public constructor(id: string, props: PromoteStepProps) {
    super(id);
    this.next = props.next;
    // A CodePipeline variable of the source action (`#{<namespace>.CommitId}`) at run time.
    this.commitId = props.source.sourceAttribute('CommitId');
    this.discoverReferencedOutputs({ commitId: this.commitId });
  }

  public produceAction(stage: codepipeline.IStage, options: pipelines.ProduceActionOptions): pipelines.CodePipelineActionFactoryResult {
    const stack = Stack.of(options.scope);
    const targetArn = stack.formatArn({ service: 'codepipeline', resource: deliveryPipelineName(this.next) });
    const pipelineRole = options.pipeline.pipeline.role;
    this.role = new iam.Role(options.scope, `${this.id}Role`, {
      assumedBy: new iam.ArnPrincipal(pipelineRole.roleArn),
      description: `Starts the ${this.next.name} pipeline at the commit this pipeline delivered`,
    });
    stage.addAction(
      new cpactions.PipelineInvokeAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
        role: this.role,
        targetPipeline: codepipeline.Pipeline.fromPipelineArn(options.scope, `${this.id}Target`, targetArn),
        sourceRevisions: [
          { actionName: SOURCE_ACTION_NAME, revisionType: cpactions.RevisionType.COMMIT_ID, revisionValue: this.commitId },
        ],
      }),
    );
    return { runOrdersConsumed: 1 };
  }
}
