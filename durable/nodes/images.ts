// Images as containerd reports them: normalized references, digests and sizes. Issue 4's image
// catalogue plugs in here (real sizes, failing pulls, what a container does).
import { realisticDelay } from "./clock";

/** Stable pseudo-random hex of any length from a seed (FNV-1a chained). */
export function seededHex(seed: string, len: number): string {
  let out = "";
  let h = 0x811c9dc5;
  let i = 0;
  while (out.length < len) {
    for (const c of `${seed}#${i++}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, len);
}

/** docker.io normalization: "nginx" → "docker.io/library/nginx:latest", "user/app:1" → "docker.io/user/app:1". */
export function normalizeImage(image: string): string {
  let [name, digest] = image.split("@");
  const first = name.split("/")[0];
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasRegistry) name = `docker.io/${name.includes("/") ? "" : "library/"}${name}`;
  if (digest) return `${name}@${digest}`;
  const lastSlash = name.lastIndexOf("/");
  return name.lastIndexOf(":") > lastSlash ? name : `${name}:latest`;
}

/** The repository of a normalized reference (no tag or digest). */
export function imageRepository(normalized: string): string {
  const noDigest = normalized.split("@")[0];
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/** Known image sizes (bytes, as `Image size:` reports them); others get a stable made-up size. */
const SIZES: Record<string, number> = {
  "docker.io/library/nginx:latest": 72195292,
  "docker.io/library/busybox:latest": 2166802,
};

export interface ImageInfo {
  /** As containerStatuses[].image shows it. */
  image: string;
  /** repo@sha256:… (containerStatuses[].imageID). */
  imageID: string;
  sizeBytes: number;
}

export function imageInfo(image: string): ImageInfo {
  const normalized = normalizeImage(image);
  const digest = normalized.includes("@") ? normalized.split("@")[1] : `sha256:${seededHex(`digest:${normalized}`, 64)}`;
  return {
    image: normalized,
    imageID: `${imageRepository(normalized)}@${digest}`,
    sizeBytes: SIZES[normalized] ?? 5_000_000 + (parseInt(seededHex(`size:${normalized}`, 7), 16) % 120_000_000),
  };
}

/** How long pulling `image` takes (for the Pulled message and, in realistic mode, the stage delay). */
export const pullDuration = (image: string, seed: string) => realisticDelay("imagePull", `${image}|${seed}`);

/** Go's time.Duration.String() of a millisecond-truncated duration: "812ms", "1.201s", "1m2.5s". */
export function goDuration(ms: number): string {
  ms = Math.max(0, Math.floor(ms));
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${String(Number(s.toFixed(3)))}s`;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${sec}`;
}
