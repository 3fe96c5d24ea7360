/**
 * Lambda entry point of the self-managed endpoint connection acceptor, subscribed to the endpoint
 * service's connection notification topic. Bundled alone with esbuild; the SDK comes from the
 * Node.js runtime.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { createAcceptanceHandler } from './createAcceptanceHandler';
import { parseAcceptorEnvironment } from './parseAcceptorEnvironment';

// Validated at cold start: a misconfigured function fails every invocation with the same clear
// message (an init error) instead of sweeping with a wrong owner list.
const config = parseAcceptorEnvironment(process.env);

// One client per execution environment: its connections are reused across invocations. The
// region is the function's own (AWS_REGION), the endpoint service's.
const ec2 = new EC2Client({});

export const handler = createAcceptanceHandler({ ec2, config });
