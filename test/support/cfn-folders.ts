import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Two working folders for commands that fail before or at their first AWS call: one with a workshop
 * cfn-output.json (the commands read their cluster and task definition from it), one empty.
 */
export function cfnFolders(): { withCfn: string; empty: string } {
  const withCfn = mkdtempSync(join(tmpdir(), 'meshctl-json-'));
  writeFileSync(
    join(withCfn, 'cfn-output.json'),
    JSON.stringify({
      EcsClusterName: 'appmesh-workshop',
      CrystalTaskDefinition: 'arn:aws:ecs:us-west-2:123456789012:task-definition/crystal-task:1',
      RubyAutoScalingGroupName: 'ruby-asg',
    }),
  );
  return { withCfn, empty: mkdtempSync(join(tmpdir(), 'meshctl-json-empty-')) };
}
