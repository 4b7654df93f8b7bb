import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from './environment.js';

// The worlds' seeds and the scheduler stand-in reach moto through the one client factory every command
// uses (the same wrappers, retries and error translation), with the sandbox's region and dummy key pair:
// never the user's profile or credentials, whatever the environment holds.

const made = new Map<string, AwsClients>();

/** The AWS clients for the moto at `endpoint`, made once per endpoint (each SDK client loads on first use). */
export function sandboxAws(endpoint: string): AwsClients {
  let aws = made.get(endpoint);
  if (!aws) {
    aws = createAwsClients({
      endpointUrl: endpoint,
      endpointFrom: 'the sandbox',
      region: SANDBOX_REGION,
      regionFrom: 'the sandbox',
      credentials: { ...SANDBOX_CREDENTIALS },
    });
    made.set(endpoint, aws);
  }
  return aws;
}
