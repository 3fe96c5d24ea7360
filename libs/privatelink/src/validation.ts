import { Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';

/** Throws unless `value` is a TCP port (tokens pass: they are checked at deploy time). */
export function assertPort(scope: Construct, prop: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${scope.constructor.name} ${scope.node.path}: ${prop} must be a port between 1 and 65535, got ${value}`);
  }
}

/** Throws when a peer admits the whole internet: these constructs are private by definition. */
export function assertNoOpenPeer(scope: Construct, prop: string, peer: ec2.IPeer): void {
  const cidr = peer.uniqueId;
  if (cidr === '0.0.0.0/0' || cidr === '::/0') {
    throw new Error(
      `${scope.constructor.name} ${scope.node.path}: ${prop} must not admit the whole internet, got ${cidr}`,
    );
  }
}
