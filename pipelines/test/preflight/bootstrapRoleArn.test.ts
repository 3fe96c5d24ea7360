import { describe, expect, it } from 'vitest';
import { bootstrapRoleArn, DEFAULT_QUALIFIER, partitionFor } from '../../src/preflight/index';

describe('bootstrapRoleArn', () => {
  it('names the role cdk bootstrap creates, with the default qualifier', () => {
    // GIVEN a commercial region and no qualifier
    // WHEN the deploy and lookup role ARNs are built
    // THEN they follow cdk-<qualifier>-<kind>-role-<account>-<region>
    expect(DEFAULT_QUALIFIER).toBe('hnb659fds');
    expect(bootstrapRoleArn('deploy', '210000000001', 'us-east-2')).toBe(
      'arn:aws:iam::210000000001:role/cdk-hnb659fds-deploy-role-210000000001-us-east-2',
    );
    expect(bootstrapRoleArn('lookup', '210000000001', 'us-east-2')).toBe(
      'arn:aws:iam::210000000001:role/cdk-hnb659fds-lookup-role-210000000001-us-east-2',
    );
  });

  it('names the publishing roles too', () => {
    expect(bootstrapRoleArn('file-publishing', '210000000001', 'us-east-1')).toBe(
      'arn:aws:iam::210000000001:role/cdk-hnb659fds-file-publishing-role-210000000001-us-east-1',
    );
    expect(bootstrapRoleArn('image-publishing', '210000000001', 'us-east-1')).toBe(
      'arn:aws:iam::210000000001:role/cdk-hnb659fds-image-publishing-role-210000000001-us-east-1',
    );
  });

  it('uses a non-default qualifier', () => {
    expect(bootstrapRoleArn('deploy', '210000000001', 'us-east-2', 'myteam01')).toBe(
      'arn:aws:iam::210000000001:role/cdk-myteam01-deploy-role-210000000001-us-east-2',
    );
  });

  it('uses the China and GovCloud partitions for their regions', () => {
    // GIVEN regions of the three partitions
    // WHEN role ARNs are built
    // THEN the partition follows the region prefix
    expect(bootstrapRoleArn('deploy', '210000000001', 'cn-north-1')).toBe(
      'arn:aws-cn:iam::210000000001:role/cdk-hnb659fds-deploy-role-210000000001-cn-north-1',
    );
    expect(bootstrapRoleArn('lookup', '210000000001', 'us-gov-west-1')).toBe(
      'arn:aws-us-gov:iam::210000000001:role/cdk-hnb659fds-lookup-role-210000000001-us-gov-west-1',
    );
  });
});

describe('partitionFor', () => {
  it.each([
    ['us-east-2', 'aws'],
    ['us-east-1', 'aws'],
    ['us-west-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
  ])('%s is in partition %s', (region, partition) => {
    expect(partitionFor(region)).toBe(partition);
  });
});
