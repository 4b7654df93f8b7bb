import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../../src/sandbox/environment.js';
import { seedLayeredCluster } from './cluster-world.js';
import type { Workshop } from './workshop.js';

// The App Mesh side of seedLayeredCluster's cluster, declared the way teams deployed it with CloudFormation:
// a mesh stack that exports the mesh's name, and an application stack whose nested stacks (one per layer)
// import it and declare each layer's Cloud Map services, virtual nodes and virtual services. moto 5.2.1
// deploys the stacks and skips the AWS::AppMesh::* and AWS::ServiceDiscovery::* resources it does not know;
// its AWS::ECS::TaskDefinition drops the network mode and the proxy configuration, so the ECS side (the
// services, their envoy task definitions, Cloud Map) is seeded with the SDK by seedLayeredCluster.

export const MESH_STACK = 'bench-mesh';
export const APPS_STACK = 'bench-apps';
const BUCKET = 'bench-templates';
const MESH = 'bench-mesh';

const serviceName = (layer: number, i: number) => `l${layer}-s${String(i).padStart(2, '0')}`;
const layerId = (layer: number) => `Layer${String(layer).padStart(2, '0')}`;

/** One layer's nested template: per service a Cloud Map service, a virtual node and the virtual service it provides. */
function layerTemplate(layer: number, perLayer: number): unknown {
  const resources: Record<string, unknown> = {};
  for (let i = 1; i <= perLayer; i++) {
    const name = serviceName(layer, i);
    const id = `S${String(i).padStart(2, '0')}`;
    const meshName = { 'Fn::ImportValue': { 'Fn::Sub': '${MeshStack}-MeshName' } };
    resources[`${id}Registry`] = {
      Type: 'AWS::ServiceDiscovery::Service',
      Properties: { Name: name, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] } },
    };
    resources[`${id}Node`] = {
      Type: 'AWS::AppMesh::VirtualNode',
      Properties: {
        MeshName: meshName,
        VirtualNodeName: name,
        Spec: {
          Listeners: [{ PortMapping: { Port: 8080, Protocol: 'http' } }],
          ServiceDiscovery: {
            AWSCloudMap: { NamespaceName: { Ref: 'Namespace' }, ServiceName: { 'Fn::GetAtt': [`${id}Registry`, 'Name'] } },
          },
          ...(layer > 1
            ? { Backends: [{ VirtualService: { VirtualServiceName: { 'Fn::Sub': `${serviceName(layer - 1, i)}.\${Namespace}` } } }] }
            : {}),
        },
      },
    };
    resources[`${id}Service`] = {
      Type: 'AWS::AppMesh::VirtualService',
      Properties: {
        MeshName: meshName,
        VirtualServiceName: { 'Fn::Sub': `${name}.\${Namespace}` },
        Spec: { Provider: { VirtualNode: { VirtualNodeName: { 'Fn::GetAtt': [`${id}Node`, 'VirtualNodeName'] } } } },
      },
    };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { MeshStack: { Type: 'String' }, Namespace: { Type: 'String' } },
    Resources: resources,
    Outputs: { Services: { Value: String(perLayer) } },
  };
}

/** moto's S3, unsigned (moto checks no signature): the credential scope names the service it routes to. */
async function putObject(endpoint: string, path: string, body?: string): Promise<void> {
  const auth = 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0';
  const r = await fetch(`${endpoint}/${path}`, { method: 'PUT', headers: { authorization: auth }, body: body ?? '' });
  if (!r.ok) throw new Error(`PUT ${path}: ${r.status} ${await r.text()}`);
}

/**
 * seedLayeredCluster's `layers` × `perLayer` envoy services, with their App Mesh side in CloudFormation:
 * stack bench-mesh (the mesh; exports bench-mesh-MeshName) and stack bench-apps with one nested stack per
 * layer. Returns the ECS services' names.
 */
export async function seedStackWorld(endpoint: string, ws: Workshop, layers: number, perLayer: number): Promise<string[]> {
  const names = await seedLayeredCluster(endpoint, ws, layers, perLayer);
  const cfn = new CloudFormationClient({ endpoint, region: SANDBOX_REGION, credentials: { ...SANDBOX_CREDENTIALS } });
  await cfn.send(
    new CreateStackCommand({
      StackName: MESH_STACK,
      TemplateBody: JSON.stringify({
        Parameters: { MeshName: { Type: 'String' } },
        Resources: { Mesh: { Type: 'AWS::AppMesh::Mesh', Properties: { MeshName: { Ref: 'MeshName' } } } },
        Outputs: { MeshName: { Value: { Ref: 'MeshName' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-MeshName' } } } },
      }),
      Parameters: [{ ParameterKey: 'MeshName', ParameterValue: MESH }],
    }),
  );
  await putObject(endpoint, BUCKET);
  const nested: Record<string, unknown> = {};
  for (let layer = 1; layer <= layers; layer++) {
    await putObject(endpoint, `${BUCKET}/layer-${layer}.json`, JSON.stringify(layerTemplate(layer, perLayer)));
    nested[layerId(layer)] = {
      Type: 'AWS::CloudFormation::Stack',
      Properties: {
        TemplateURL: `https://s3.amazonaws.com/${BUCKET}/layer-${layer}.json`,
        Parameters: { MeshStack: { Ref: 'MeshStack' }, Namespace: 'bench' },
      },
    };
  }
  await cfn.send(
    new CreateStackCommand({
      StackName: APPS_STACK,
      TemplateBody: JSON.stringify({ Parameters: { MeshStack: { Type: 'String' } }, Resources: nested }),
      Parameters: [{ ParameterKey: 'MeshStack', ParameterValue: MESH_STACK }],
    }),
  );
  return names;
}
