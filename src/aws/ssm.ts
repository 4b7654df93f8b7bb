import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AwsCallError } from '../errors.js';
import { sender } from './aws-error.js';
import { type AwsConfig, connectClient } from './client-config.js';

export interface CommandInvocation {
  /** Pending, InProgress, Delayed, Success, Cancelled, TimedOut, Failed, Cancelling, or NotYetVisible. */
  status: string;
  responseCode?: number;
  stdout: string;
  stderr: string;
}

export interface SsmApi {
  sendCommand(instanceId: string, commands: string[], timeoutSeconds: number): Promise<string>;
  getCommandInvocation(commandId: string, instanceId: string): Promise<CommandInvocation>;
}

export function createSsmApi(client: SSMClient, endpoint?: string): SsmApi {
  const send = sender(client, endpoint);
  return {
    async sendCommand(instanceId, commands, timeoutSeconds) {
      const seconds = Math.max(30, timeoutSeconds);
      const out = await send(
        'SendCommand',
        new SendCommandCommand({
          InstanceIds: [instanceId],
          DocumentName: 'AWS-RunShellScript',
          Comment: 'meshctl verify',
          TimeoutSeconds: seconds,
          Parameters: { commands, executionTimeout: [String(seconds)] },
        }),
      );
      const id = out.Command?.CommandId;
      if (!id) throw new AwsCallError('SendCommand', 'EmptyResponse', undefined, 'SendCommand returned no command id');
      return id;
    },
    async getCommandInvocation(commandId, instanceId) {
      try {
        const out = await send('GetCommandInvocation', new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
        return {
          status: out.Status ?? 'Pending',
          responseCode: out.ResponseCode,
          stdout: out.StandardOutputContent ?? '',
          stderr: out.StandardErrorContent ?? '',
        };
      } catch (err) {
        // Right after SendCommand the invocation may not be visible yet.
        if (err instanceof AwsCallError && err.errorName === 'InvocationDoesNotExist')
          return { status: 'NotYetVisible', stdout: '', stderr: '' };
        throw err;
      }
    },
  };
}

export function connectSsm(config: AwsConfig): SsmApi {
  return createSsmApi(connectClient(SSMClient, 'ssm', config), config.endpointUrl);
}
