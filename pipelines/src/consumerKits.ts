import type { CfnOutput } from 'aws-cdk-lib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { selfManagedConsumers, type EnvironmentConfig } from '@private-api/config';

/** Where `nx run consumer:kit` writes the kits: `<environment>/<consumer>/{template.json, values.json, README.md}`. */
export const CONSUMER_KITS_DIRECTORY = 'dist/consumer-kits';

/** The file of a kit that receives the provider's real endpoint service name after its deploy. */
export const ENDPOINT_SERVICE_NAME_FILE = 'endpoint-service-name.txt';

/** The variable the kit step reads the provider stack's output from (a CodePipeline variable at run time). */
export const ENDPOINT_SERVICE_NAME_VARIABLE = 'ENDPOINT_SERVICE_NAME';

/**
 * The folder of one environment's kits: the only kits its pipeline keeps as an artifact (the
 * kit target writes every environment's; another environment's never leave the build).
 */
export function consumerKitsDirectory(environment: EnvironmentConfig): string {
  return `${CONSUMER_KITS_DIRECTORY}/${environment.name}`;
}

/**
 * The step that completes one environment's consumer kits once its provider is deployed: the
 * endpoint service name only exists then (AWS generates it), so the synth step cannot write
 * it. Its primary output, the environment's kit folder, becomes a KMS-encrypted artifact of the
 * pipeline that can be handed to each customer.
 *
 * @returns undefined when the environment has no self-managed consumer (there is nothing to publish)
 */
export function consumerKitsStep(
  id: string,
  environment: EnvironmentConfig,
  kits: pipelines.IFileSetProducer,
  endpointServiceName: CfnOutput,
): pipelines.ShellStep | undefined {
  const consumers = selfManagedConsumers(environment);
  if (consumers.length === 0) return undefined;
  const name = `"$${ENDPOINT_SERVICE_NAME_VARIABLE}"`;
  return new pipelines.ShellStep(id, {
    input: kits,
    envFromCfnOutputs: { [ENDPOINT_SERVICE_NAME_VARIABLE]: endpointServiceName },
    commands: [
      // An empty name would publish kits that create an endpoint to nothing; fail loudly instead.
      `test -n ${name} || { echo "the provider stack of ${environment.name} returned no endpoint service name" >&2; exit 1; }`,
      ...consumers.map((consumer) => {
        const folder = consumer.name;
        return (
          `test -d ${folder} || { echo "no consumer kit for ${environment.name}/${folder}: the synth step runs nx run consumer:kit" >&2; exit 1; }; ` +
          `printf '%s\\n' ${name} > ${folder}/${ENDPOINT_SERVICE_NAME_FILE}`
        );
      }),
    ],
    // Its input is the environment's kit folder already: it is the whole artifact.
    primaryOutputDirectory: '.',
  });
}
