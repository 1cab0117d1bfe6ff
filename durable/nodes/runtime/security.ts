// Who a container's processes are: the identity, capabilities and filesystem restrictions the
// kubelet and containerd give them from the pod's and container's securityContext and the image's
// USER. Pure: the runtime (files.ts, processes.ts, container.ts) and the kubelet's stages read it.
import type { Capabilities, Container, Pod, SecurityContext } from "kubernetes-types/core/v1";
import { type Accounts, DEBIAN_ACCOUNTS, imageBehaviour } from "./images";
import type { ShellUser } from "../../shell/types";

/** The image's USER ("" when it sets none, so root). */
export const imageUser = (image: string | undefined): string => imageBehaviour(image ?? "").user ?? "";

/** The accounts of an image: its /etc/passwd and /etc/group. */
export const imageAccounts = (image: string | undefined): Accounts => imageBehaviour(image ?? "").accounts ?? DEBIAN_ACCOUNTS;

/** The securityContext that applies: the container's fields over the pod's (DetermineEffectiveSecurityContext). */
export function effectiveSecurityContext(pod: Pod, c: Container): SecurityContext {
  const p = pod.spec?.securityContext ?? {};
  const own = c.securityContext ?? {};
  const out: SecurityContext = { ...own };
  for (const k of [
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "windowsOptions",
  ] as const)
    if (out[k] === undefined && p[k] !== undefined) (out as Record<string, unknown>)[k] = p[k];
  return out;
}

export interface Identity {
  uid: number;
  gid: number;
  /** The kernel's supplementary groups (sorted, as getgroups(2) returns them). */
  groups: number[];
}

/** The uid/gid/groups the container's processes run with (image USER unless runAsUser/runAsGroup). */
export function containerIdentity(pod: Pod, c: Container): Identity {
  const sc = effectiveSecurityContext(pod, c);
  const accounts = imageAccounts(c.image);
  const user = imageUser(c.image);
  const [u, g] = user.split(":");
  const named = Object.entries(accounts.users).find(([, n]) => n === u)?.[0];
  const imageUid = u === undefined || u === "" ? 0 : /^\d+$/.test(u) ? Number(u) : Number(named ?? 0);
  const uid = sc.runAsUser ?? imageUid;
  // Without runAsGroup the primary group is the image's USER's group, else the uid's /etc/passwd
  // group (the images' accounts have gid = uid), else root's: a bare uid runs with gid 0.
  const gid =
    sc.runAsGroup ??
    (g !== undefined && /^\d+$/.test(g) ? Number(g) : sc.runAsUser === undefined && accounts.users[imageUid] !== undefined ? imageUid : 0);
  const extra = [
    gid,
    ...(pod.spec?.securityContext?.fsGroup !== undefined ? [pod.spec.securityContext.fsGroup] : []),
    ...(pod.spec?.securityContext?.supplementalGroups ?? []),
    ...(accounts.memberOf[uid] ?? []),
  ];
  return { uid, gid, groups: [...new Set(extra)].sort((a, b) => a - b) };
}

/** format.Pod: "name_namespace(uid)". */
const formatPod = (pod: Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace ?? "default"}(${pod.metadata?.uid ?? ""})`;

/** The kubelet's verifyRunAsNonRoot: why the container may not start, or undefined. */
export function runAsNonRootError(pod: Pod, c: Container): string | undefined {
  const sc = effectiveSecurityContext(pod, c);
  if (!sc.runAsNonRoot) return undefined;
  const where = `(pod: ${JSON.stringify(formatPod(pod))}, container: ${c.name})`;
  if (sc.runAsUser !== undefined) return sc.runAsUser === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  const user = imageUser(c.image).split(":")[0];
  if (user === "" || user === "0") return `container has runAsNonRoot and image will run as root ${where}`;
  if (!/^\d+$/.test(user))
    return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${where}`;
  return undefined;
}

/** Linux capability numbers (include/uapi/linux/capability.h). */
export const CAPABILITIES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "SETPCAP",
  "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_ADMIN",
  "NET_RAW",
  "IPC_LOCK",
  "IPC_OWNER",
  "SYS_MODULE",
  "SYS_RAWIO",
  "SYS_CHROOT",
  "SYS_PTRACE",
  "SYS_PACCT",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_NICE",
  "SYS_RESOURCE",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "MKNOD",
  "LEASE",
  "AUDIT_WRITE",
  "AUDIT_CONTROL",
  "SETFCAP",
  "MAC_OVERRIDE",
  "MAC_ADMIN",
  "SYSLOG",
  "WAKE_ALARM",
  "BLOCK_SUSPEND",
  "AUDIT_READ",
  "PERFMON",
  "BPF",
  "CHECKPOINT_RESTORE",
] as const;

/** containerd's default set (pkg/oci defaultUnixCaps). */
export const DEFAULT_CAPABILITIES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FSETID",
  "FOWNER",
  "MKNOD",
  "NET_RAW",
  "SETGID",
  "SETUID",
  "SETFCAP",
  "SETPCAP",
  "NET_BIND_SERVICE",
  "SYS_CHROOT",
  "KILL",
  "AUDIT_WRITE",
];

const bit = (name: string): bigint => {
  const n = CAPABILITIES.indexOf(name.toUpperCase().replace(/^CAP_/, "") as (typeof CAPABILITIES)[number]);
  return n < 0 ? 0n : 1n << BigInt(n);
};

/** The bounding set: the defaults plus add minus drop ("ALL" in either), everything when privileged. */
export function boundingSet(caps: Capabilities | undefined, privileged: boolean): bigint {
  const all = (1n << BigInt(CAPABILITIES.length)) - 1n;
  if (privileged) return all;
  const has = (list: string[] | undefined) => (list ?? []).some((x) => x.toUpperCase() === "ALL");
  let set = has(caps?.add) ? all : DEFAULT_CAPABILITIES.reduce((m, n) => m | bit(n), 0n);
  for (const a of caps?.add ?? []) set |= bit(a);
  if (has(caps?.drop)) set = has(caps?.add) ? all : (caps?.add ?? []).reduce((m, n) => m | bit(n), 0n);
  else for (const d of caps?.drop ?? []) set &= ~bit(d);
  return set;
}

export interface ProcessSecurity extends Identity {
  /** Effective and permitted (root keeps the bounding set; any other uid has none). */
  effective: bigint;
  bounding: bigint;
  noNewPrivs: boolean;
  /** 0 unconfined, 2 a seccomp filter (RuntimeDefault, Localhost). */
  seccomp: 0 | 2;
  readOnlyRoot: boolean;
}

export function processSecurity(pod: Pod, c: Container): ProcessSecurity {
  const id = containerIdentity(pod, c);
  const sc = effectiveSecurityContext(pod, c);
  const privileged = !!sc.privileged;
  const bounding = boundingSet(sc.capabilities, privileged);
  const seccompType = sc.seccompProfile?.type;
  return {
    ...id,
    bounding,
    effective: id.uid === 0 ? bounding : 0n,
    // The kubelet asks for no_new_privs only when allowPrivilegeEscalation is false (and not privileged).
    noNewPrivs: sc.allowPrivilegeEscalation === false && !privileged,
    seccomp: !privileged && (seccompType === "RuntimeDefault" || seccompType === "Localhost") ? 2 : 0,
    readOnlyRoot: !!sc.readOnlyRootFilesystem,
  };
}

const hex = (n: bigint) => n.toString(16).padStart(16, "0");

/** /proc/<pid>/status of one of the container's processes (Linux 6.8's fields). */
export function procStatus(sec: ProcessSecurity, pid: number, command: string): string {
  const name = (command.split(" ")[0].replace(/^.*\//, "") || "sh").replace(/:$/, "").slice(0, 15);
  const ids = (n: number) => `${n}\t${n}\t${n}\t${n}`;
  return [
    `Name:\t${name}`,
    "Umask:\t0022",
    "State:\tS (sleeping)",
    `Tgid:\t${pid}`,
    "Ngid:\t0",
    `Pid:\t${pid}`,
    `PPid:\t${pid === 1 ? 0 : 1}`,
    "TracerPid:\t0",
    `Uid:\t${ids(sec.uid)}`,
    `Gid:\t${ids(sec.gid)}`,
    "FDSize:\t64",
    `Groups:\t${sec.groups.map((g) => `${g} `).join("")}`,
    `NStgid:\t${pid}`,
    `NSpid:\t${pid}`,
    "NSpgid:\t1",
    "NSsid:\t1",
    "VmPeak:\t    4496 kB",
    "VmSize:\t    4372 kB",
    "VmLck:\t       0 kB",
    "VmPin:\t       0 kB",
    "VmHWM:\t     972 kB",
    "VmRSS:\t     972 kB",
    "RssAnon:\t      84 kB",
    "RssFile:\t     888 kB",
    "RssShmem:\t       0 kB",
    "VmData:\t     108 kB",
    "VmStk:\t     132 kB",
    "VmExe:\t     960 kB",
    "VmLib:\t      24 kB",
    "VmPTE:\t      44 kB",
    "VmSwap:\t       0 kB",
    "HugetlbPages:\t       0 kB",
    "CoreDumping:\t0",
    "THP_enabled:\t1",
    "Threads:\t1",
    "SigQ:\t0/7856",
    "SigPnd:\t0000000000000000",
    "ShdPnd:\t0000000000000000",
    "SigBlk:\t0000000000000000",
    "SigIgn:\t0000000000000000",
    "SigCgt:\t0000000000000000",
    "CapInh:\t0000000000000000",
    `CapPrm:\t${hex(sec.effective)}`,
    `CapEff:\t${hex(sec.effective)}`,
    `CapBnd:\t${hex(sec.bounding)}`,
    "CapAmb:\t0000000000000000",
    `NoNewPrivs:\t${sec.noNewPrivs ? 1 : 0}`,
    `Seccomp:\t${sec.seccomp}`,
    `Seccomp_filters:\t${sec.seccomp ? 1 : 0}`,
    "Speculation_Store_Bypass:\tthread vulnerable",
    "SpeculationIndirectBranch:\tconditional enabled",
    "Cpus_allowed:\t3",
    "Cpus_allowed_list:\t0-1",
    "Mems_allowed:\t00000000,00000001",
    "Mems_allowed_list:\t0",
    "voluntary_ctxt_switches:\t41",
    "nonvoluntary_ctxt_switches:\t3",
    "",
  ].join("\n");
}

/** A process's user as `ps` shows it: the name /etc/passwd gives the uid, else the number. */
export const userName = (accounts: Accounts, uid: number) => accounts.users[uid] ?? String(uid);

/** The credentials a shell in the container runs with, and the image's names for ids. */
export function shellUser(pod: Pod, c: Container): ShellUser {
  const accounts = imageAccounts(c.image);
  return { ...containerIdentity(pod, c), userName: (u) => accounts.users[u], groupName: (g) => accounts.groups[g] };
}
