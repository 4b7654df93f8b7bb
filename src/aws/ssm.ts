import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AwsCallError } from '../errors.js';
import { callAws } from './aws-error.js';
import { addCallLogging, clientOptions, type AwsConfig } from './client-config.js';

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
  return {
    async sendCommand(instanceId, commands, timeoutSeconds) {
      const out = await callAws(
        'SendCommand',
        () =>
          client.send(
            new SendCommandCommand({
              InstanceIds: [instanceId],
              DocumentName: 'AWS-RunShellScript',
              Comment: 'meshctl verify',
              TimeoutSeconds: Math.max(30, timeoutSeconds),
              Parameters: { commands, executionTimeout: [String(Math.max(30, timeoutSeconds))] },
            }),
          ),
        endpoint,
      );
      const id = out.Command?.CommandId;
      if (!id) throw new AwsCallError('SendCommand', 'EmptyResponse', undefined, 'SendCommand returned no command id');
      return id;
    },
    async getCommandInvocation(commandId, instanceId) {
      try {
        const out = await client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
        return {
          status: out.Status ?? 'Pending',
          responseCode: out.ResponseCode,
          stdout: out.StandardOutputContent ?? '',
          stderr: out.StandardErrorContent ?? '',
        };
      } catch (err) {
        // Right after SendCommand the invocation may not be visible yet.
        if ((err as { name?: string }).name === 'InvocationDoesNotExist') return { status: 'NotYetVisible', stdout: '', stderr: '' };
        return callAws('GetCommandInvocation', () => Promise.reject(err), endpoint);
      }
    },
  };
}

export function connectSsm(config: AwsConfig): SsmApi {
  const client = new SSMClient(clientOptions(config));
  addCallLogging(client as never, 'ssm', config.log);
  return createSsmApi(client, config.endpointUrl);
}
