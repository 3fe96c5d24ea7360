import type { Template } from 'aws-cdk-lib/assertions';

/** One action of a synthesized CodePipeline stage, as far as the tests read it. */
export interface PipelineAction {
  readonly Name: string;
  readonly ActionTypeId: { readonly Category: string; readonly Provider: string };
  readonly RunOrder: number;
  readonly RoleArn?: unknown;
  readonly Namespace?: string;
  readonly Configuration?: Record<string, unknown>;
  readonly InputArtifacts?: readonly { readonly Name: string }[];
  readonly OutputArtifacts?: readonly { readonly Name: string }[];
}

export interface PipelineStage {
  readonly Name: string;
  readonly Actions: readonly PipelineAction[];
}

/** The buildspec of a CodeBuild project CDK Pipelines generates (inline JSON). */
export interface BuildSpec {
  readonly phases: { readonly install?: { readonly commands: string[] }; readonly build: { readonly commands: string[] } };
  readonly artifacts?: {
    readonly 'base-directory'?: string;
    readonly 'secondary-artifacts'?: Record<string, { readonly 'base-directory': string }>;
  };
}

/** The stages of the (only) pipeline of a template. */
export function pipelineStages(template: Template): PipelineStage[] {
  const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0];
  return (pipeline?.Properties.Stages ?? []) as PipelineStage[];
}

/** The buildspec of the CodeBuild project a pipeline action runs (matched by its `Ref`). */
export function buildSpecOf(template: Template, action: PipelineAction | undefined): BuildSpec | undefined {
  const reference = action?.Configuration?.['ProjectName'] as { Ref?: string } | undefined;
  if (reference?.Ref === undefined) return undefined;
  const project = template.findResources('AWS::CodeBuild::Project')[reference.Ref];
  return project ? (JSON.parse(String(project.Properties.Source.BuildSpec)) as BuildSpec) : undefined;
}

/** The environment variables of a CodeBuild action (a JSON string in the action's configuration). */
export function actionVariables(action: PipelineAction | undefined): Record<string, string> {
  const raw = action?.Configuration?.['EnvironmentVariables'];
  if (typeof raw !== 'string') return {};
  const variables = JSON.parse(raw) as { name: string; value: string }[];
  return Object.fromEntries(variables.map((variable) => [variable.name, variable.value]));
}

/** `qa` → `Qa`, `eu-prod` → `EuProd`: how stage and step ids spell an environment. */
export function titleOf(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Every inline buildspec of the template's CodeBuild projects (synth, self-mutation, assets, steps). */
export function allBuildSpecs(template: Template): BuildSpec[] {
  return Object.values(template.findResources('AWS::CodeBuild::Project')).map(
    (project) => JSON.parse(String(project.Properties.Source.BuildSpec)) as BuildSpec,
  );
}
