import type { IConstruct } from 'constructs';
import { BoundedRoles, type BoundedRolesProps } from './BoundedRoles';
import { ConfusedDeputyProtection } from './ConfusedDeputyProtection';
import { NoImplicitEgress } from './NoImplicitEgress';

/**
 * The aspects every deployable scope of this repository gets, in one call: the permissions
 * boundary and prefixed names on every role ({@link BoundedRoles}), source conditions on service
 * principals ({@link ConfusedDeputyProtection}), no implicit allow-all egress
 * ({@link NoImplicitEgress}). The compliance rules IAM1, IAM2 and SG2 fail synth on anything
 * they missed.
 */
export function applyDeployPathGuards(scope: IConstruct, roles: BoundedRolesProps): void {
  BoundedRoles.applyTo(scope, roles);
  ConfusedDeputyProtection.applyTo(scope);
  NoImplicitEgress.applyTo(scope);
}
