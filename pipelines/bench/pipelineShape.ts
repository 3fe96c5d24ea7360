import { statSync } from 'node:fs';
import { join } from 'node:path';
import type * as cxapi from 'aws-cdk-lib/cx-api';

/** What the delivery pipeline looks like to CodePipeline and CloudFormation, read from a synthesized assembly. */
export interface PipelineShape {
  /** Every CodePipeline stage, in order, with its action count. */
  readonly stages: readonly { readonly name: string; readonly actions: number }[];
  /** The stages that run after the provider's stage (consumer waves, then the promotion, if any). */
  readonly stagesAfterProvider: readonly string[];
  /** The most actions one stage holds (CodePipeline allows 50). */
  readonly largestStageActions: number;
  /** Size of the pipeline stack's template file as deployed, in bytes (CloudFormation allows 1 MB). */
  readonly templateBytes: number;
}

interface PipelineResource {
  readonly Type: string;
  readonly Properties: { readonly Stages?: readonly { readonly Name: string; readonly Actions: readonly unknown[] }[] };
}

/**
 * Reads the shape of the pipeline stack `stackName` from `assembly`; `providerStage` is the
 * CodePipeline stage that deploys the provider (`<Env>-Provider`).
 *
 * @throws Error naming the stack or stage when it is not in the assembly
 */
export function pipelineShape(assembly: cxapi.CloudAssembly, stackName: string, providerStage: string): PipelineShape {
  const artifact = assembly.stacksRecursively.find((candidate) => candidate.stackName === stackName);
  if (!artifact) throw new Error(`no stack ${stackName} in the assembly`);
  const resources = Object.values((artifact.template as { Resources: Record<string, PipelineResource> }).Resources);
  const pipeline = resources.find((resource) => resource.Type === 'AWS::CodePipeline::Pipeline');
  if (!pipeline) throw new Error(`stack ${stackName} has no AWS::CodePipeline::Pipeline`);
  const stages = (pipeline.Properties.Stages ?? []).map((stage) => ({ name: stage.Name, actions: stage.Actions.length }));
  const providerIndex = stages.findIndex((stage) => stage.name === providerStage);
  if (providerIndex < 0) throw new Error(`the pipeline has no stage ${providerStage}: ${stages.map((stage) => stage.name).join(', ')}`);
  return {
    stages,
    stagesAfterProvider: stages.slice(providerIndex + 1).map((stage) => stage.name),
    largestStageActions: Math.max(...stages.map((stage) => stage.actions)),
    templateBytes: statSync(join(assembly.directory, artifact.templateFile)).size,
  };
}
