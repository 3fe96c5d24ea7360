import { Match, Template } from 'aws-cdk-lib/assertions';
import { consumerAccounts, ramAllowsExternalPrincipals, type EnvironmentConfig } from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { fixtureEnvironment, type MutableConfigInput } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProviderStage } from '../src/index';

const ORGANIZATION = { id: 'o-fx1234abcd' };

/** The fixture's qa environment with the organization stated, after `edit`. */
function qaInOrganization(edit: (input: MutableConfigInput) => void = () => undefined): EnvironmentConfig {
  return fixtureEnvironment('qa', (input) => {
    input.organization = ORGANIZATION;
    edit(input);
  });
}

function shareOf(config: EnvironmentConfig): Template {
  return Template.fromStack(new ProviderStage(new PrivateApiApp(), 'Provider', { config }).serviceStack);
}

describe('the RAM share of the service name parameter and the AWS Organization', () => {
  let inside: { config: EnvironmentConfig; template: Template };
  let oneOutside: { config: EnvironmentConfig; template: Template };

  beforeAll(() => {
    // GIVEN qa with the organization stated: every consumer inside it, or the self-managed gamma outside
    const allInside = qaInOrganization();
    const gammaOutside = qaInOrganization((input) => {
      const gamma = input.environments[0]?.consumers.find((consumer) => consumer.name === 'gamma');
      if (!gamma) throw new Error('the fixture qa environment has no consumer gamma');
      gamma.outsideOrganization = true;
    });
    // WHEN each provider stage is synthesized
    inside = { config: allInside, template: shareOf(allInside) };
    oneOutside = { config: gammaOutside, template: shareOf(gammaOutside) };
  });

  it('shares with organization principals only when every consumer is inside the organization', () => {
    expect(ramAllowsExternalPrincipals(inside.config)).toBe(false);
    inside.template.resourceCountIs('AWS::RAM::ResourceShare', 1);
    inside.template.hasResourceProperties('AWS::RAM::ResourceShare', {
      Principals: consumerAccounts(inside.config),
      AllowExternalPrincipals: false,
      ResourceArns: [Match.anyValue()],
    });
  });

  it('allows external principals as soon as one consumer is outside the organization', () => {
    expect(oneOutside.config.consumers.filter((consumer) => consumer.outsideOrganization).map((consumer) => consumer.name)).toEqual([
      'gamma',
    ]);
    oneOutside.template.hasResourceProperties('AWS::RAM::ResourceShare', {
      Principals: consumerAccounts(oneOutside.config),
      AllowExternalPrincipals: true,
    });
  });
});
