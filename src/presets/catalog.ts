// Every preset's data file, imported statically so the bundle carries them (ncc inlines JSON imports), each checked
// against the PresetData shape on load. One import and one entry per preset: add both for a new preset.
import amazonManagedPrometheus from './data/amazon-managed-prometheus.json' with { type: 'json' };
import awsLoadBalancerController from './data/aws-load-balancer-controller.json' with { type: 'json' };
import certManager from './data/cert-manager.json' with { type: 'json' };
import cloudwatchObservability from './data/cloudwatch-observability.json' with { type: 'json' };
import clusterAutoscaler from './data/cluster-autoscaler.json' with { type: 'json' };
import ebsCsiDriver from './data/ebs-csi-driver.json' with { type: 'json' };
import efsCsiDriver from './data/efs-csi-driver.json' with { type: 'json' };
import externalDns from './data/external-dns.json' with { type: 'json' };
import externalSecrets from './data/external-secrets.json' with { type: 'json' };
import fsxLustreCsiDriver from './data/fsx-lustre-csi-driver.json' with { type: 'json' };
import gatewayApiController from './data/gateway-api-controller.json' with { type: 'json' };
import imageBuilder from './data/image-builder.json' with { type: 'json' };
import karpenter from './data/karpenter.json' with { type: 'json' };
import mountpointS3CsiDriver from './data/mountpoint-s3-csi-driver.json' with { type: 'json' };
import nodeTerminationHandler from './data/node-termination-handler.json' with { type: 'json' };
import privatecaIssuer from './data/privateca-issuer.json' with { type: 'json' };
import velero from './data/velero.json' with { type: 'json' };
import vpcCni from './data/vpc-cni.json' with { type: 'json' };
import { asPresetData } from './shape.js';
import type { PresetData } from './types.js';

/** In the interface's order (interface.md, "Policy presets"): error messages list the known names in this order. */
const FILES: Record<string, unknown> = {
  'aws-load-balancer-controller': awsLoadBalancerController,
  'external-dns': externalDns,
  'cert-manager': certManager,
  'cluster-autoscaler': clusterAutoscaler,
  karpenter: karpenter,
  'ebs-csi-driver': ebsCsiDriver,
  'efs-csi-driver': efsCsiDriver,
  'fsx-lustre-csi-driver': fsxLustreCsiDriver,
  'mountpoint-s3-csi-driver': mountpointS3CsiDriver,
  'external-secrets': externalSecrets,
  velero: velero,
  'node-termination-handler': nodeTerminationHandler,
  'vpc-cni': vpcCni,
  'cloudwatch-observability': cloudwatchObservability,
  'amazon-managed-prometheus': amazonManagedPrometheus,
  'privateca-issuer': privatecaIssuer,
  'gateway-api-controller': gatewayApiController,
  'image-builder': imageBuilder,
};

/** Preset name → data. */
export const CATALOG: ReadonlyMap<string, PresetData> = new Map(
  Object.entries(FILES).map(([file, json]) => {
    const data = asPresetData(`${file}.json`, json);
    if (data.name !== file) throw new Error(`preset data ${file}.json: "name" is "${data.name}"`);
    return [file, data];
  }),
);
