import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  type CreateAutoScalingGroupCommandInput,
  type CreateLaunchConfigurationCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { sender } from './aws-error.js';
import { type AwsConfig, connectClient } from './client-config.js';

/** The Auto Scaling calls meshctl makes (the sandbox seeds the workshop's Ruby group with them), named after their operations. */
export interface AutoScalingApi {
  createLaunchConfiguration(input: CreateLaunchConfigurationCommandInput): Promise<void>;
  createAutoScalingGroup(input: CreateAutoScalingGroupCommandInput): Promise<void>;
}

export function createAutoScalingApi(client: AutoScalingClient, endpoint?: string): AutoScalingApi {
  const send = sender(client, endpoint);
  return {
    async createLaunchConfiguration(input) {
      await send('CreateLaunchConfiguration', new CreateLaunchConfigurationCommand(input));
    },
    async createAutoScalingGroup(input) {
      await send('CreateAutoScalingGroup', new CreateAutoScalingGroupCommand(input));
    },
  };
}

export function connectAutoScaling(config: AwsConfig): AutoScalingApi {
  return createAutoScalingApi(connectClient(AutoScalingClient, 'autoscaling', config), config.endpointUrl);
}
