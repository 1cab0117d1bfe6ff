// PodDescriber (describePod) and what the workload describers share with it: containers,
// volumes, the pod template, QoS and requests/limits (k8s.io/kubectl/pkg/describe, pkg/util/qos,
// pkg/util/resource).
import type {
  Container,
  ContainerState,
  ContainerStatus,
  EnvVar,
  PersistentVolumeClaimTemplate,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ResourceRequirements,
  TopologySpreadConstraint,
  Volume,
} from "kubernetes-types/core/v1";
import { printPersistentVolumeClaim } from "./storage";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  formatLabelSelector,
  goBool,
  goSort,
  intOrString,
  LEVEL_0,
  LEVEL_1,
  LEVEL_2,
  LEVEL_3,
  type PrefixWriter,
  printAnnotationsMultiline,
  printBool,
  printController,
  printLabelsMultiline,
  printPodTolerationsMultiline,
  Quantity,
  type ResourceList,
  resourceList,
  rfc1123z,
  since,
  sortedResourceNames,
  sortStrings,
  stringOrNone,
  tabbedString,
} from "./format";

const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

/** PodDescriber.Describe for a pod already fetched. */
export async function describePod(pod: Pod, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  let events: Awaited<ReturnType<typeof eventsFor>>;
  if (opts.showEvents) {
    const mirror = pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION];
    const uid = mirror !== undefined ? mirror : pod.metadata?.uid;
    events = await eventsFor(reader, { namespace: pod.metadata?.namespace, name: pod.metadata?.name ?? "", uid }, opts);
  }
  const spec: PodSpec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const meta = pod.metadata ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${meta.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${meta.namespace ?? ""}\n`);
    if (spec.priority !== undefined && spec.priority !== null) w.write(LEVEL_0, `Priority:\t${spec.priority}\n`);
    if (spec.priorityClassName) w.write(LEVEL_0, `Priority Class Name:\t${spec.priorityClassName}\n`);
    if (spec.runtimeClassName) w.write(LEVEL_0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
    if (spec.serviceAccountName) w.write(LEVEL_0, `Service Account:\t${spec.serviceAccountName}\n`);
    if (!spec.nodeName) w.write(LEVEL_0, "Node:\t<none>\n");
    else w.write(LEVEL_0, `Node:\t${spec.nodeName}/${status.hostIP ?? ""}\n`);
    if (status.startTime) w.write(LEVEL_0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
    printLabelsMultiline(w, "Labels", meta.labels);
    printAnnotationsMultiline(w, "Annotations", meta.annotations);
    if (meta.deletionTimestamp && status.phase !== "Failed" && status.phase !== "Succeeded") {
      w.write(LEVEL_0, `Status:\tTerminating (lasts ${since(meta.deletionTimestamp, opts.now)})\n`);
      w.write(LEVEL_0, `Termination Grace Period:\t${meta.deletionGracePeriodSeconds ?? 0}s\n`);
    } else {
      w.write(LEVEL_0, `Status:\t${status.phase ?? ""}\n`);
    }
    if (status.reason) w.write(LEVEL_0, `Reason:\t${status.reason}\n`);
    if (status.message) w.write(LEVEL_0, `Message:\t${status.message}\n`);
    const seccomp = spec.securityContext?.seccompProfile;
    if (seccomp) {
      w.write(LEVEL_0, `SeccompProfile:\t${seccomp.type}\n`);
      if (seccomp.type === "Localhost") w.write(LEVEL_0, `LocalhostProfile:\t${seccomp.localhostProfile ?? ""}\n`);
    }
    w.write(LEVEL_0, `IP:\t${status.podIP ?? ""}\n`);
    describePodIPs(pod, w, "");
    const controlledBy = printController(meta);
    if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
    if (status.nominatedNodeName) w.write(LEVEL_0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
    const podResources = (spec as { resources?: ResourceRequirements }).resources;
    if (podResources) {
      w.write(LEVEL_0, "Resources:\n");
      describeResources(podResources, w, LEVEL_1);
    }
    const resolver = envValueRetriever(pod);
    if (spec.initContainers?.length)
      describeContainers("Init Containers", spec.initContainers, status.initContainerStatuses, resolver, w, "");
    describeContainers("Containers", spec.containers ?? [], status.containerStatuses, resolver, w, "");
    if (spec.ephemeralContainers?.length) {
      describeContainers(
        "Ephemeral Containers",
        spec.ephemeralContainers as Container[],
        status.ephemeralContainerStatuses,
        resolver,
        w,
        "",
      );
    }
    if (spec.readinessGates?.length) {
      w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n");
      for (const g of spec.readinessGates) {
        const c = (status.conditions ?? []).find((c) => c.type === g.conditionType);
        w.write(LEVEL_1, `${g.conditionType} \t${c ? c.status : "<none>"} \n`);
      }
    }
    if (status.conditions?.length) {
      w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n");
      for (const c of status.conditions) w.write(LEVEL_1, `${c.type} \t${c.status} \n`);
    }
    describeVolumes(spec.volumes, w, "");
    w.write(LEVEL_0, `QoS Class:\t${status.qosClass || computePodQOS(pod)}\n`);
    printLabelsMultiline(w, "Node-Selectors", spec.nodeSelector);
    printPodTolerationsMultiline(w, "Tolerations", spec.tolerations);
    describeTopologySpreadConstraints(spec.topologySpreadConstraints, w, "");
    if (events) describeEvents(events, w, opts.now);
  });
}

function describePodIPs(pod: Pod, w: PrefixWriter, space: string) {
  const ips = pod.status?.podIPs ?? [];
  if (ips.length === 0) {
    w.write(LEVEL_0, `${space}IPs:\t<none>\n`);
    return;
  }
  w.write(LEVEL_0, `${space}IPs:\n`);
  for (const ip of ips) w.write(LEVEL_1, `IP:\t${ip.ip}\n`);
}

export function describeTopologySpreadConstraints(tscs: TopologySpreadConstraint[] | undefined, w: PrefixWriter, space: string): void {
  if (!tscs || tscs.length === 0) return;
  goSort(tscs, (a, b) => a.topologyKey < b.topologyKey);
  w.write(LEVEL_0, `${space}Topology Spread Constraints:\t`);
  tscs.forEach((tsc, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, space);
      w.write(LEVEL_0, "\t");
    }
    w.write(LEVEL_0, `${tsc.topologyKey}:`);
    w.write(LEVEL_0, tsc.whenUnsatisfiable);
    w.write(LEVEL_0, ` when max skew ${tsc.maxSkew} is exceeded`);
    if (tsc.labelSelector) w.write(LEVEL_0, ` for selector ${formatLabelSelector(tsc.labelSelector)}`);
    w.write(LEVEL_0, "\n");
  });
}

// ---------------------------------------------------------------------------------------------
// volumes

/** The image volume source (1.31+), not in kubernetes-types yet. */
type ImageVolume = Volume & { image?: { reference?: string; pullPolicy?: string } };

const opt = (b: boolean | undefined | null) => goBool(b === true);
/** Go's %v of a []string */
const goStrings = (a: string[] | undefined | null) => `[${(a ?? []).join(" ")}]`;
/** Go's %v of a *LocalObjectReference / *SecretReference */
const goRef = (r: { name?: string; namespace?: string } | undefined | null, withNamespace = false) =>
  r
    ? withNamespace
      ? `&SecretReference{Name:${r.name ?? ""},Namespace:${r.namespace ?? ""},}`
      : `&LocalObjectReference{Name:${r.name ?? ""},}`
    : "nil";

export function describeVolumes(volumes: Volume[] | undefined, w: PrefixWriter, space: string): void {
  if (!volumes || volumes.length === 0) {
    w.write(LEVEL_0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(LEVEL_0, `${space}Volumes:\n`);
  for (const v of volumes) {
    const nameIndent = space.length > 0 ? " " : "";
    w.write(LEVEL_1, `${nameIndent}${v.name}:\n`);
    if (v.hostPath) {
      w.write(
        LEVEL_2,
        `Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n    HostPathType:\t${v.hostPath.type ?? "<none>"}\n`,
      );
    } else if (v.emptyDir) {
      const size = v.emptyDir.sizeLimit !== undefined ? Quantity.parse(v.emptyDir.sizeLimit) : undefined;
      const sizeLimit = size && size.cmp(Quantity.zero()) > 0 ? size.toString() : "<unset>";
      w.write(
        LEVEL_2,
        `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ""}\n    SizeLimit:\t${sizeLimit}\n`,
      );
    } else if (v.gcePersistentDisk) {
      const g = v.gcePersistentDisk;
      w.write(
        LEVEL_2,
        `Type:\tGCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)\n    PDName:\t${g.pdName}\n    FSType:\t${g.fsType ?? ""}\n    Partition:\t${g.partition ?? 0}\n    ReadOnly:\t${goBool(g.readOnly)}\n`,
      );
    } else if (v.awsElasticBlockStore) {
      const a = v.awsElasticBlockStore;
      w.write(
        LEVEL_2,
        `Type:\tAWSElasticBlockStore (a Persistent Disk resource in AWS)\n    VolumeID:\t${a.volumeID}\n    FSType:\t${a.fsType ?? ""}\n    Partition:\t${a.partition ?? 0}\n    ReadOnly:\t${goBool(a.readOnly)}\n`,
      );
    } else if (v.gitRepo) {
      w.write(
        LEVEL_2,
        `Type:\tGitRepo (a volume that is pulled from git when the pod is created)\n    Repository:\t${v.gitRepo.repository}\n    Revision:\t${v.gitRepo.revision ?? ""}\n`,
      );
    } else if (v.secret) {
      w.write(
        LEVEL_2,
        `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName ?? ""}\n    Optional:\t${opt(v.secret.optional)}\n`,
      );
    } else if (v.configMap) {
      w.write(
        LEVEL_2,
        `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name ?? ""}\n    Optional:\t${opt(v.configMap.optional)}\n`,
      );
    } else if (v.nfs) {
      w.write(
        LEVEL_2,
        `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${v.nfs.server}\n    Path:\t${v.nfs.path}\n    ReadOnly:\t${goBool(v.nfs.readOnly)}\n`,
      );
    } else if (v.iscsi) {
      const s = v.iscsi;
      w.write(
        LEVEL_2,
        `Type:\tISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod)\n    TargetPortal:\t${s.targetPortal}\n    IQN:\t${s.iqn}\n    Lun:\t${s.lun}\n    ISCSIInterface\t${s.iscsiInterface ?? ""}\n    FSType:\t${s.fsType ?? ""}\n    ReadOnly:\t${goBool(s.readOnly)}\n    Portals:\t${goStrings(s.portals)}\n    DiscoveryCHAPAuth:\t${goBool(s.chapAuthDiscovery)}\n    SessionCHAPAuth:\t${goBool(s.chapAuthSession)}\n    SecretRef:\t${goRef(s.secretRef)}\n    InitiatorName:\t${s.initiatorName ?? "<none>"}\n`,
      );
    } else if (v.glusterfs) {
      w.write(
        LEVEL_2,
        `Type:\tGlusterfs (a Glusterfs mount on the host that shares a pod's lifetime)\n    EndpointsName:\t${v.glusterfs.endpoints}\n    Path:\t${v.glusterfs.path}\n    ReadOnly:\t${goBool(v.glusterfs.readOnly)}\n`,
      );
    } else if (v.persistentVolumeClaim) {
      w.write(
        LEVEL_2,
        `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${v.persistentVolumeClaim.claimName}\n    ReadOnly:\t${goBool(v.persistentVolumeClaim.readOnly)}\n`,
      );
    } else if (v.ephemeral) {
      w.write(LEVEL_2, "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n");
      if (v.ephemeral.volumeClaimTemplate) printEphemeralClaim(w.nested(LEVEL_2), v.ephemeral.volumeClaimTemplate);
    } else if (v.rbd) {
      const r = v.rbd;
      w.write(
        LEVEL_2,
        `Type:\tRBD (a Rados Block Device mount on the host that shares a pod's lifetime)\n    CephMonitors:\t${goStrings(r.monitors)}\n    RBDImage:\t${r.image}\n    FSType:\t${r.fsType ?? ""}\n    RBDPool:\t${r.pool ?? ""}\n    RadosUser:\t${r.user ?? ""}\n    Keyring:\t${r.keyring ?? ""}\n    SecretRef:\t${goRef(r.secretRef)}\n    ReadOnly:\t${goBool(r.readOnly)}\n`,
      );
    } else if (v.quobyte) {
      w.write(
        LEVEL_2,
        `Type:\tQuobyte (a Quobyte mount on the host that shares a pod's lifetime)\n    Registry:\t${v.quobyte.registry}\n    Volume:\t${v.quobyte.volume}\n    ReadOnly:\t${goBool(v.quobyte.readOnly)}\n`,
      );
    } else if (v.downwardAPI) {
      w.write(LEVEL_2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
      for (const m of v.downwardAPI.items ?? []) {
        if (m.fieldRef) w.write(LEVEL_3, `${m.fieldRef.fieldPath} -> ${m.path}\n`);
        if (m.resourceFieldRef) w.write(LEVEL_3, `${m.resourceFieldRef.resource} -> ${m.path}\n`);
      }
    } else if (v.vsphereVolume) {
      const s = v.vsphereVolume;
      w.write(
        LEVEL_2,
        `Type:\tvSphereVolume (a Persistent Disk resource in vSphere)\n    VolumePath:\t${s.volumePath}\n    FSType:\t${s.fsType ?? ""}\n    StoragePolicyName:\t${s.storagePolicyName ?? ""}\n`,
      );
    } else if (v.cinder) {
      const c = v.cinder;
      w.write(
        LEVEL_2,
        `Type:\tCinder (a Persistent Disk resource in OpenStack)\n    VolumeID:\t${c.volumeID}\n    FSType:\t${c.fsType ?? ""}\n    ReadOnly:\t${goBool(c.readOnly)}\n    SecretRef:\t${goRef(c.secretRef)}\n`,
      );
    } else if (v.photonPersistentDisk) {
      w.write(
        LEVEL_2,
        `Type:\tPhotonPersistentDisk (a Persistent Disk resource in photon platform)\n    PdID:\t${v.photonPersistentDisk.pdID}\n    FSType:\t${v.photonPersistentDisk.fsType ?? ""}\n`,
      );
    } else if (v.portworxVolume) {
      w.write(LEVEL_2, `Type:\tPortworxVolume (a Portworx Volume resource)\n    VolumeID:\t${v.portworxVolume.volumeID}\n`);
    } else if (v.scaleIO) {
      const s = v.scaleIO;
      w.write(
        LEVEL_2,
        `Type:\tScaleIO (a persistent volume backed by a block device in ScaleIO)\n    Gateway:\t${s.gateway}\n    System:\t${s.system}\n    Protection Domain:\t${s.protectionDomain ?? ""}\n    Storage Pool:\t${s.storagePool ?? ""}\n    Storage Mode:\t${s.storageMode ?? ""}\n    VolumeName:\t${s.volumeName ?? ""}\n    FSType:\t${s.fsType ?? ""}\n    ReadOnly:\t${goBool(s.readOnly)}\n`,
      );
    } else if (v.cephfs) {
      const c = v.cephfs;
      w.write(
        LEVEL_2,
        `Type:\tCephFS (a CephFS mount on the host that shares a pod's lifetime)\n    Monitors:\t${goStrings(c.monitors)}\n    Path:\t${c.path ?? ""}\n    User:\t${c.user ?? ""}\n    SecretFile:\t${c.secretFile ?? ""}\n    SecretRef:\t${goRef(c.secretRef)}\n    ReadOnly:\t${goBool(c.readOnly)}\n`,
      );
    } else if (v.storageos) {
      const s = v.storageos;
      w.write(
        LEVEL_2,
        `Type:\tStorageOS (a StorageOS Persistent Disk resource)\n    VolumeName:\t${s.volumeName ?? ""}\n    VolumeNamespace:\t${s.volumeNamespace ?? ""}\n    FSType:\t${s.fsType ?? ""}\n    ReadOnly:\t${goBool(s.readOnly)}\n`,
      );
    } else if (v.fc) {
      const f = v.fc;
      w.write(
        LEVEL_2,
        `Type:\tFC (a Fibre Channel disk)\n    TargetWWNs:\t${(f.targetWWNs ?? []).join(", ")}\n    LUN:\t${f.lun ?? "<none>"}\n    FSType:\t${f.fsType ?? ""}\n    ReadOnly:\t${goBool(f.readOnly)}\n`,
      );
    } else if (v.azureFile) {
      const a = v.azureFile;
      w.write(
        LEVEL_2,
        `Type:\tAzureFile (an Azure File Service mount on the host and bind mount to the pod)\n    SecretName:\t${a.secretName}\n    ShareName:\t${a.shareName}\n    ReadOnly:\t${goBool(a.readOnly)}\n`,
      );
    } else if (v.flexVolume) {
      const f = v.flexVolume;
      const options = sortStrings(Object.keys(f.options ?? {}))
        .map((k) => `${k}:${f.options?.[k]}`)
        .join(" ");
      w.write(
        LEVEL_2,
        `Type:\tFlexVolume (a generic volume resource that is provisioned/attached using an exec based plugin)\n    Driver:\t${f.driver}\n    FSType:\t${f.fsType ?? ""}\n    SecretRef:\t${goRef(f.secretRef)}\n    ReadOnly:\t${goBool(f.readOnly)}\n    Options:\tmap[${options}]\n`,
      );
    } else if (v.flocker) {
      w.write(
        LEVEL_2,
        `Type:\tFlocker (a Flocker volume mounted by the Flocker agent)\n    DatasetName:\t${v.flocker.datasetName ?? ""}\n    DatasetUUID:\t${v.flocker.datasetUUID ?? ""}\n`,
      );
    } else if (v.projected) {
      w.write(LEVEL_2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
      for (const s of v.projected.sources ?? []) {
        if (s.secret) w.write(LEVEL_2, `SecretName:\t${s.secret.name ?? ""}\n    Optional:\t${opt(s.secret.optional)}\n`);
        else if (s.downwardAPI) w.write(LEVEL_2, "DownwardAPI:\ttrue\n");
        else if (s.configMap) w.write(LEVEL_2, `ConfigMapName:\t${s.configMap.name ?? ""}\n    Optional:\t${opt(s.configMap.optional)}\n`);
        else if (s.serviceAccountToken) w.write(LEVEL_2, `TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 0}\n`);
      }
    } else if (v.csi) {
      const c = v.csi;
      w.write(
        LEVEL_2,
        `Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t${c.driver}\n    FSType:\t${c.fsType ?? ""}\n    ReadOnly:\t${goBool(c.readOnly === true)}\n`,
      );
      printCSIVolumeAttributes(w, c.volumeAttributes);
    } else if ((v as ImageVolume).image) {
      const image = (v as ImageVolume).image ?? {};
      w.write(
        LEVEL_2,
        `Type:\tImage (a container image or OCI artifact)\n    Reference:\t${image.reference ?? ""}\n    PullPolicy:\t${image.pullPolicy ?? ""}\n`,
      );
    } else {
      w.write(LEVEL_1, "<unknown>\n");
    }
  }
}

function printCSIVolumeAttributes(w: PrefixWriter, attributes: Record<string, string> | undefined) {
  w.write(LEVEL_2, "VolumeAttributes:\t");
  const keys = sortStrings(Object.keys(attributes ?? {}));
  if (keys.length === 0) {
    w.writeLine("<none>");
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_2, "");
      w.write(LEVEL_2, "\t");
    }
    const line = `${key}=${attributes?.[key]}`;
    w.write(LEVEL_2, line.length > 140 ? `${line.slice(0, 140)}...\n` : `${line}\n`);
  });
}

/** printPersistentVolumeClaim(w, claim, false) for an ephemeral volume's claim template. */
/** An ephemeral volume's claim template, as printPersistentVolumeClaim prints a template (it has no
 *  status: a named volume's capacity is the zero quantity). */
function printEphemeralClaim(w: PrefixWriter, t: PersistentVolumeClaimTemplate) {
  printPersistentVolumeClaim(w, { metadata: t.metadata, spec: t.spec }, false, 0);
}

// ---------------------------------------------------------------------------------------------
// containers

type EnvResolver = ((e: EnvVar) => string) | undefined;

/** EnvValueRetriever: kubectl's scheme converts only metadata.name and metadata.namespace. */
function envValueRetriever(pod: Pod): EnvResolver {
  return (e) => {
    const ref = e.valueFrom?.fieldRef;
    if (!ref) return "";
    if (ref.apiVersion !== undefined && ref.apiVersion.split("/").length > 2) return "";
    if (ref.fieldPath === "metadata.name") return pod.metadata?.name ?? "";
    if (ref.fieldPath === "metadata.namespace") return pod.metadata?.namespace ?? "";
    return "";
  };
}

export function describeContainers(
  label: string,
  containers: Container[],
  statuses: ContainerStatus[] | undefined,
  resolver: EnvResolver,
  w: PrefixWriter,
  space: string,
): void {
  const byName = new Map<string, ContainerStatus>();
  for (const s of statuses ?? []) byName.set(s.name, s);
  w.write(LEVEL_0, `${space}${label}:${containers.length === 0 ? " <none>" : ""}\n`);
  for (const c of containers) {
    const status = byName.get(c.name);
    describeContainerBasicInfo(c, status, space, w);
    describeContainerCommand(c, w);
    if (status) describeContainerState(status, w);
    describeResources(c.resources, w, LEVEL_2);
    describeContainerProbe(c, w);
    if (c.envFrom?.length) describeContainerEnvFrom(c, w);
    describeContainerEnvVars(c, resolver, w);
    describeContainerVolumes(c, w);
  }
}

function describeContainerBasicInfo(c: Container, status: ContainerStatus | undefined, space: string, w: PrefixWriter) {
  const nameIndent = space.length > 0 ? " " : "";
  w.write(LEVEL_1, `${nameIndent}${c.name}:\n`);
  if (status) w.write(LEVEL_2, `Container ID:\t${status.containerID ?? ""}\n`);
  w.write(LEVEL_2, `Image:\t${c.image ?? ""}\n`);
  if (status) w.write(LEVEL_2, `Image ID:\t${status.imageID ?? ""}\n`);
  const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? ""}`).join(", ");
  if (ports.includes(",")) w.write(LEVEL_2, `Ports:\t${ports}\n`);
  else w.write(LEVEL_2, `Port:\t${stringOrNone(ports)}\n`);
  const hostPorts = (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? ""}`).join(", ");
  if (hostPorts.includes(",")) w.write(LEVEL_2, `Host Ports:\t${hostPorts}\n`);
  else w.write(LEVEL_2, `Host Port:\t${stringOrNone(hostPorts)}\n`);
  const seccomp = c.securityContext?.seccompProfile;
  if (seccomp) {
    w.write(LEVEL_2, `SeccompProfile:\t${seccomp.type}\n`);
    if (seccomp.type === "Localhost") w.write(LEVEL_3, `LocalhostProfile:\t${seccomp.localhostProfile ?? ""}\n`);
  }
}

function describeContainerCommand(c: Container, w: PrefixWriter) {
  if (c.command?.length) {
    w.write(LEVEL_2, "Command:\n");
    for (const cmd of c.command) for (const s of cmd.split("\n")) w.write(LEVEL_3, `${s}\n`);
  }
  if (c.args?.length) {
    w.write(LEVEL_2, "Args:\n");
    for (const arg of c.args) for (const s of arg.split("\n")) w.write(LEVEL_3, `${s}\n`);
  }
}

export function describeResources(resources: ResourceRequirements | undefined, w: PrefixWriter, level: number): void {
  if (!resources) return;
  const limits = resources.limits ?? {};
  const requests = resources.requests ?? {};
  if (Object.keys(limits).length > 0) w.write(level, "Limits:\n");
  for (const name of sortedResourceNames(limits)) w.write(level + 1, `${name}:\t${Quantity.parse(limits[name]).toString()}\n`);
  if (Object.keys(requests).length > 0) w.write(level, "Requests:\n");
  for (const name of sortedResourceNames(requests)) w.write(level + 1, `${name}:\t${Quantity.parse(requests[name]).toString()}\n`);
}

function describeContainerState(status: ContainerStatus, w: PrefixWriter) {
  describeStatus("State", status.state ?? {}, w);
  if (status.lastState?.terminated) describeStatus("Last State", status.lastState, w);
  w.write(LEVEL_2, `Ready:\t${printBool(status.ready)}\n`);
  w.write(LEVEL_2, `Restart Count:\t${status.restartCount ?? 0}\n`);
}

function describeStatus(stateName: string, state: ContainerState, w: PrefixWriter) {
  if (state.running) {
    w.write(LEVEL_2, `${stateName}:\tRunning\n`);
    w.write(LEVEL_3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state.waiting) {
    w.write(LEVEL_2, `${stateName}:\tWaiting\n`);
    if (state.waiting.reason) w.write(LEVEL_3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state.terminated) {
    const t = state.terminated;
    w.write(LEVEL_2, `${stateName}:\tTerminated\n`);
    if (t.reason) w.write(LEVEL_3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(LEVEL_3, `Message:\t${t.message}\n`);
    w.write(LEVEL_3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if ((t.signal ?? 0) > 0) w.write(LEVEL_3, `Signal:\t${t.signal}\n`);
    w.write(LEVEL_3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(LEVEL_3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(LEVEL_2, `${stateName}:\tWaiting\n`);
  }
}

function describeContainerProbe(c: Container, w: PrefixWriter) {
  if (c.livenessProbe) w.write(LEVEL_2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
  if (c.readinessProbe) w.write(LEVEL_2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
  if (c.startupProbe) w.write(LEVEL_2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
}

/** net.JoinHostPort */
const joinHostPort = (host: string, port: string) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

/** url.PathEscape-like escaping of a URL path, as url.URL.EscapedPath does for encodePath. */
function escapePath(p: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(p)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(ch)) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** DescribeProbe */
export function describeProbe(p: Probe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 0}s period=${p.periodSeconds ?? 0}s #success=${p.successThreshold ?? 0} #failure=${p.failureThreshold ?? 0}`;
  if (p.exec) return `exec ${goStrings(p.exec.command)} ${attrs}`;
  if (p.httpGet) {
    const scheme = (p.httpGet.scheme ?? "").toLowerCase();
    const port = intOrString(p.httpGet.port);
    const host = port.length > 0 ? joinHostPort(p.httpGet.host ?? "", port) : (p.httpGet.host ?? "");
    let url = "";
    if (scheme) url += `${scheme}:`;
    if (scheme || host) url += `//${host}`;
    const path = p.httpGet.path ?? "";
    if (path && !path.startsWith("/") && host) url += "/";
    url += escapePath(path);
    return `http-get ${url} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ""}:${intOrString(p.tcpSocket.port)} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ""} ${attrs}`;
  return `unknown ${attrs}`;
}

function describeContainerVolumes(c: Container, w: PrefixWriter) {
  const none = !c.volumeMounts || c.volumeMounts.length === 0 ? "\t<none>" : "";
  w.write(LEVEL_2, `Mounts:${none}\n`);
  const mounts = goSort([...(c.volumeMounts ?? [])], (a, b) => a.mountPath < b.mountPath);
  for (const m of mounts) {
    const flags = [m.readOnly ? "ro" : "rw"];
    if (m.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
    w.write(LEVEL_3, `${m.mountPath} from ${m.name} (${flags.join(",")})\n`);
  }
  if (c.volumeDevices?.length) {
    w.write(LEVEL_2, `Devices:${none}\n`);
    const devices = goSort([...c.volumeDevices], (a, b) => a.devicePath < b.devicePath);
    for (const d of devices) w.write(LEVEL_3, `${d.devicePath} from ${d.name}\n`);
  }
}

function describeContainerEnvVars(c: Container, resolver: EnvResolver, w: PrefixWriter) {
  const none = !c.env || c.env.length === 0 ? "\t<none>" : "";
  w.write(LEVEL_2, `Environment:${none}\n`);
  for (const e of c.env ?? []) {
    if (!e.valueFrom) {
      (e.value ?? "").split("\n").forEach((s, i) => {
        if (i === 0) w.write(LEVEL_3, `${e.name}:\t${s}\n`);
        else w.write(LEVEL_3, `\t${s}\n`);
      });
      continue;
    }
    const from = e.valueFrom;
    if (from.fieldRef) {
      const value = resolver ? resolver(e) : "";
      w.write(LEVEL_3, `${e.name}:\t${value} (${from.fieldRef.apiVersion ?? ""}:${from.fieldRef.fieldPath})\n`);
    } else if (from.resourceFieldRef) {
      let value = extractContainerResourceValue(from.resourceFieldRef, c);
      const resource = from.resourceFieldRef.resource;
      if (value === "0" && (resource === "limits.cpu" || resource === "limits.memory")) value = "node allocatable";
      w.write(LEVEL_3, `${e.name}:\t${value} (${resource})\n`);
    } else if (from.secretKeyRef) {
      const optional = from.secretKeyRef.optional === true;
      w.write(
        LEVEL_3,
        `${e.name}:\t<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name ?? ""}'>\tOptional: ${goBool(optional)}\n`,
      );
    } else if (from.configMapKeyRef) {
      const optional = from.configMapKeyRef.optional === true;
      w.write(
        LEVEL_3,
        `${e.name}:\t<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name ?? ""}'>\tOptional: ${goBool(optional)}\n`,
      );
    }
  }
}

function describeContainerEnvFrom(c: Container, w: PrefixWriter) {
  const none = !c.envFrom || c.envFrom.length === 0 ? "\t<none>" : "";
  w.write(LEVEL_2, `Environment Variables from:${none}\n`);
  for (const e of c.envFrom ?? []) {
    let from = "";
    let name = "";
    let optional = false;
    if (e.configMapRef) {
      from = "ConfigMap";
      name = e.configMapRef.name ?? "";
      optional = e.configMapRef.optional === true;
    } else if (e.secretRef) {
      from = "Secret";
      name = e.secretRef.name ?? "";
      optional = e.secretRef.optional === true;
    }
    if (!e.prefix) w.write(LEVEL_3, `${name}\t${from}\tOptional: ${goBool(optional)}\n`);
    else w.write(LEVEL_3, `${name}\t${from} with prefix '${e.prefix}'\tOptional: ${goBool(optional)}\n`);
  }
}

/** resourcehelper.ExtractContainerResourceValue ("" when unsupported). */
function extractContainerResourceValue(fs: { resource: string; divisor?: string | number }, c: Container): string {
  let divisor = Quantity.parse(fs.divisor);
  if (divisor.isZero()) divisor = Quantity.parse("1");
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const cpu = (v: unknown) => String(Math.ceil(Quantity.parse(v).milliValue() / divisor.milliValue()));
  const bytes = (v: unknown) => String(Math.ceil(Quantity.parse(v).value() / divisor.value()));
  switch (fs.resource) {
    case "limits.cpu":
      return cpu(limits.cpu);
    case "limits.memory":
      return bytes(limits.memory);
    case "limits.ephemeral-storage":
      return bytes(limits["ephemeral-storage"]);
    case "requests.cpu":
      return cpu(requests.cpu);
    case "requests.memory":
      return bytes(requests.memory);
    case "requests.ephemeral-storage":
      return bytes(requests["ephemeral-storage"]);
  }
  if (fs.resource.startsWith("requests.hugepages-")) return bytes(requests[fs.resource.slice("requests.".length)]);
  if (fs.resource.startsWith("limits.hugepages-")) return bytes(limits[fs.resource.slice("limits.".length)]);
  return "";
}

// ---------------------------------------------------------------------------------------------
// the pod template

/** DescribePodTemplate */
export function describePodTemplate(template: PodTemplateSpec | undefined, w: PrefixWriter): void {
  w.write(LEVEL_0, "Pod Template:\n");
  if (!template) {
    w.write(LEVEL_1, "<unset>");
    return;
  }
  const spec: PodSpec = template.spec ?? { containers: [] };
  printLabelsMultiline(w, "  Labels", template.metadata?.labels);
  if (Object.keys(template.metadata?.annotations ?? {}).length > 0)
    printAnnotationsMultiline(w, "  Annotations", template.metadata?.annotations);
  if (spec.serviceAccountName) w.write(LEVEL_1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) describeContainers("Init Containers", spec.initContainers, undefined, undefined, w, "  ");
  describeContainers("Containers", spec.containers ?? [], undefined, undefined, w, "  ");
  describeVolumes(spec.volumes, w, "  ");
  describeTopologySpreadConstraints(spec.topologySpreadConstraints, w, "  ");
  if (spec.priorityClassName) w.write(LEVEL_1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabelsMultiline(w, "  Node-Selectors", spec.nodeSelector);
  printPodTolerationsMultiline(w, "  Tolerations", spec.tolerations);
}

// ---------------------------------------------------------------------------------------------
// QoS and requests/limits

const QOS_RESOURCES = new Set(["cpu", "memory"]);

function processResourceList(list: ResourceList, add: Record<string, unknown> | undefined) {
  for (const [name, v] of Object.entries(add ?? {})) {
    if (!QOS_RESOURCES.has(name)) continue;
    const q = Quantity.parse(v);
    if (q.cmp(Quantity.zero()) === 1) {
      const prev = list.get(name);
      list.set(name, prev ? q.add(prev) : q);
    }
  }
}

function qosResources(list: Record<string, unknown> | undefined): Set<string> {
  const s = new Set<string>();
  for (const [name, v] of Object.entries(list ?? {}))
    if (QOS_RESOURCES.has(name) && Quantity.parse(v).cmp(Quantity.zero()) === 1) s.add(name);
  return s;
}

/** qos.ComputePodQOS */
export function computePodQOS(pod: Pod): string {
  const requests: ResourceList = new Map();
  const limits: ResourceList = new Map();
  let isGuaranteed = true;
  const podResources = (pod.spec as { resources?: ResourceRequirements } | undefined)?.resources;
  if (podResources) {
    if (podResources.requests) processResourceList(requests, podResources.requests);
    if (podResources.limits) {
      processResourceList(limits, podResources.limits);
      const q = qosResources(podResources.limits);
      if (!q.has("memory") || !q.has("cpu")) isGuaranteed = false;
    }
  } else {
    for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      processResourceList(requests, c.resources?.requests);
      processResourceList(limits, c.resources?.limits);
      const q = qosResources(c.resources?.limits);
      if (!q.has("memory") || !q.has("cpu")) isGuaranteed = false;
    }
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (isGuaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim?.cmp(req) !== 0) {
        isGuaranteed = false;
        break;
      }
    }
  }
  if (isGuaranteed && requests.size === limits.size) return "Guaranteed";
  return "Burstable";
}

function addResourceList(list: ResourceList, add: ResourceList) {
  for (const [name, q] of add) {
    const prev = list.get(name);
    list.set(name, prev ? prev.add(q) : q);
  }
}

function maxResourceList(list: ResourceList, other: ResourceList) {
  for (const [name, q] of other) {
    const prev = list.get(name);
    if (!prev || q.cmp(prev) > 0) list.set(name, q);
  }
}

const isPodResizeInfeasible = (pod: Pod) => {
  const c = (pod.status?.conditions ?? []).find((c) => c.type === "PodResizePending");
  if (c) return c.reason === "Infeasible";
  return (pod.status as { resize?: string } | undefined)?.resize === "Infeasible";
};

function containerRequests(pod: Pod, c: Container, cs: ContainerStatus | undefined): ResourceList {
  const reqs = resourceList(c.resources?.requests);
  const csResources = cs?.resources;
  if (!cs || !csResources) return reqs;
  const result = isPodResizeInfeasible(pod) ? resourceList(csResources.requests) : reqs;
  if (!isPodResizeInfeasible(pod)) maxResourceList(result, resourceList(csResources.requests));
  maxResourceList(result, resourceList(cs.allocatedResources));
  return result;
}

/** resourcehelper.PodRequestsAndLimits */
export function podRequestsAndLimits(pod: Pod): { reqs: ResourceList; limits: ResourceList } {
  const statuses = new Map<string, ContainerStatus>();
  for (const s of pod.status?.containerStatuses ?? []) statuses.set(s.name, s);
  for (const s of pod.status?.initContainerStatuses ?? []) statuses.set(s.name, s);

  const reqs: ResourceList = new Map();
  for (const c of pod.spec?.containers ?? []) addResourceList(reqs, containerRequests(pod, c, statuses.get(c.name)));
  const restartableReqs: ResourceList = new Map();
  const initReqs: ResourceList = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    let containerReqs: ResourceList;
    if (c.restartPolicy === "Always") {
      containerReqs = containerRequests(pod, c, statuses.get(c.name));
      addResourceList(reqs, containerReqs);
      addResourceList(restartableReqs, containerReqs);
      containerReqs = restartableReqs;
    } else {
      const tmp: ResourceList = new Map();
      addResourceList(tmp, resourceList(c.resources?.requests));
      addResourceList(tmp, restartableReqs);
      containerReqs = tmp;
    }
    maxResourceList(initReqs, containerReqs);
  }
  maxResourceList(reqs, initReqs);
  if (pod.spec?.overhead) addResourceList(reqs, resourceList(pod.spec.overhead));

  const limits: ResourceList = new Map();
  for (const c of pod.spec?.containers ?? []) addResourceList(limits, resourceList(c.resources?.limits));
  const restartableLimits: ResourceList = new Map();
  const initLimits: ResourceList = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    let containerLimits = resourceList(c.resources?.limits);
    if (c.restartPolicy === "Always") {
      addResourceList(limits, containerLimits);
      addResourceList(restartableLimits, containerLimits);
      containerLimits = restartableLimits;
    } else {
      const tmp: ResourceList = new Map();
      addResourceList(tmp, containerLimits);
      addResourceList(tmp, restartableLimits);
      containerLimits = tmp;
    }
    maxResourceList(initLimits, containerLimits);
  }
  maxResourceList(limits, initLimits);
  if (pod.spec?.overhead) {
    for (const [name, q] of resourceList(pod.spec.overhead)) {
      const v = limits.get(name);
      if (v && !v.isZero()) limits.set(name, v.add(q));
    }
  }
  return { reqs, limits };
}

/** The pod counts of a controller (getPodStatusForController): its own pods by phase. */
export async function podStatusForController(
  reader: DescribeReader,
  namespace: string | undefined,
  selector: string,
  uid: string | undefined,
): Promise<{ running: number; waiting: number; succeeded: number; failed: number }> {
  const pods = (await reader.list("pods", namespace, { labelSelector: selector })) as Pod[];
  const counts = { running: 0, waiting: 0, succeeded: 0, failed: 0 };
  for (const pod of pods) {
    const ref = (pod.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    if (!ref || ref.uid !== uid) continue;
    switch (pod.status?.phase) {
      case "Running":
        counts.running++;
        break;
      case "Pending":
        counts.waiting++;
        break;
      case "Succeeded":
        counts.succeeded++;
        break;
      case "Failed":
        counts.failed++;
        break;
    }
  }
  return counts;
}
