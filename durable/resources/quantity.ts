// resource.Quantity as the API server writes it back: every quantity of a stored object is in its
// canonical form (k8s.io/apimachinery/pkg/api/resource: ParseQuantity then String()), so
// `cpu: "0.5"` is stored as "500m", `1000m` as "1", `1.5Gi` as "1536Mi" and `1e3` stays "1e3".
// Exact decimal arithmetic on BigInt (value = unscaled × 10^scale), as inf.Dec does.

type Format = "DecimalSI" | "BinarySI" | "DecimalExponent";

interface Parsed {
  negative: boolean;
  /** The magnitude: unscaled × 10^scale. */
  unscaled: bigint;
  scale: number;
  format: Format;
}

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX = Object.fromEntries(Object.entries(DECIMAL).map(([s, e]) => [e, s])) as Record<number, string>;
const BINARY_SUFFIX = Object.fromEntries(Object.entries(BINARY).map(([s, e]) => [e, s])) as Record<number, string>;
/** The largest BinarySI amount (2^63-1), where ParseQuantity caps it. */
const MAX_ALLOWED = 2n ** 63n - 1n;

const pow10 = (n: number) => 10n ** BigInt(n);

/** ParseQuantity (parseQuantityString and its rounding): undefined when the text is no quantity. */
export function parseCanonical(text: string): Parsed | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E)?$/.exec(text);
  if (!m) return undefined;
  const [, sign, whole, fraction = "", suffix = ""] = m;
  if (!whole && !fraction) return undefined;
  let unscaled = BigInt((whole + fraction).replace(/^0+(?=\d)/, "") || "0");
  let scale = -fraction.length;
  let format: Format;
  if (suffix in BINARY) {
    format = "BinarySI";
    unscaled *= 2n ** BigInt(BINARY[suffix]);
  } else if (/^[eE]/.test(suffix)) {
    format = "DecimalExponent";
    scale += parseInt(suffix.slice(1), 10);
  } else {
    format = "DecimalSI";
    scale += DECIMAL[suffix];
  }
  // Non-zero amounts finer than 1n round up (away from zero) to the nano.
  if (unscaled !== 0n && scale < -9) {
    const d = pow10(-9 - scale);
    unscaled = (unscaled + d - 1n) / d;
    scale = -9;
  }
  if (format === "BinarySI" && compare(unscaled, scale, MAX_ALLOWED, 0) > 0) [unscaled, scale] = [MAX_ALLOWED, 0];
  if (format === "BinarySI" && unscaled !== 0n && compare(unscaled, scale, 1n, 0) < 0) format = "DecimalSI";
  return { negative: sign === "-" && unscaled !== 0n, unscaled, scale, format };
}

/** Compare a × 10^as with b × 10^bs (both non-negative). */
function compare(a: bigint, as: number, b: bigint, bs: number): number {
  const s = Math.min(as, bs);
  const x = a * pow10(as - s);
  const y = b * pow10(bs - s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Quantity.String(): CanonicalizeBytes of a parsed quantity. */
export function formatCanonical(q: Parsed): string {
  if (q.unscaled === 0n) return "0";
  let format = q.format;
  let integer: bigint | undefined;
  if (format === "BinarySI") {
    // Below 1024, or not a whole number, a binary amount prints in decimal to avoid rounding.
    const whole =
      q.scale >= 0 ? q.unscaled * pow10(q.scale) : q.unscaled % pow10(-q.scale) === 0n ? q.unscaled / pow10(-q.scale) : undefined;
    if (whole === undefined || whole < 1024n) format = "DecimalSI";
    else integer = whole;
  }
  const sign = q.negative ? "-" : "";
  if (integer !== undefined) {
    let exponent = 0;
    while (integer % 1024n === 0n && exponent < 60) (integer /= 1024n), (exponent += 10);
    return `${sign}${integer}${BINARY_SUFFIX[exponent] ?? ""}`;
  }
  // AsCanonicalBytes: move factors of ten into the exponent, then make it a multiple of three.
  let amount = q.unscaled;
  let exponent = q.scale;
  while (amount % 10n === 0n) (amount /= 10n), exponent++;
  while (exponent % 3 !== 0) (amount *= 10n), exponent--;
  if (format === "DecimalExponent") return `${sign}${amount}${exponent === 0 ? "" : `e${exponent}`}`;
  const suffix = DECIMAL_SUFFIX[exponent];
  return `${sign}${amount}${suffix ?? `e${exponent}`}`;
}

/** The canonical text of a quantity as a JSON value holds it (string or number); a value that does
 *  not parse is returned as it was, for validation to refuse. */
export function canonicalQuantity(value: unknown): unknown {
  if (typeof value !== "string" && typeof value !== "number") return value;
  const parsed = parseCanonical(String(value));
  return parsed ? formatCanonical(parsed) : value;
}

/** Canonicalise every value of a ResourceList (requests, limits, capacity …) in place. */
export function canonicalizeResourceList(list: unknown): void {
  if (!list || typeof list !== "object" || Array.isArray(list)) return;
  const l = list as Record<string, unknown>;
  for (const k of Object.keys(l)) l[k] = canonicalQuantity(l[k]);
}

/** Quantity.Cmp: -1, 0 or 1 as `a` is less than, equal to or more than `b`; a missing or unparsable
 *  quantity counts as zero (a ResourceList lookup of an absent key gives the zero Quantity). */
export function compareQuantities(a: unknown, b: unknown): number {
  const zero: Parsed = { negative: false, unscaled: 0n, scale: 0, format: "DecimalSI" };
  const p = (v: unknown) => (typeof v === "string" || typeof v === "number" ? parseCanonical(String(v)) : undefined) ?? zero;
  const x = p(a);
  const y = p(b);
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const magnitude = compare(x.unscaled, x.scale, y.unscaled, y.scale);
  return x.negative ? -magnitude : magnitude;
}

/** Quantity.MilliValue() % 1000 != 0: a quantity of bytes that is not a whole number of them. */
export function isFractional(v: unknown): boolean {
  const q = typeof v === "string" || typeof v === "number" ? parseCanonical(String(v)) : undefined;
  if (!q || q.unscaled === 0n || q.scale >= 0) return false;
  // MilliValue rounds up to the milli first: only the part at or above 10^-3 counts.
  const milli = q.scale >= -3 ? q.unscaled * pow10(q.scale + 3) : (q.unscaled + pow10(-3 - q.scale) - 1n) / pow10(-3 - q.scale);
  return milli % 1000n !== 0n;
}

/** A parsed quantity, for the arithmetic of quota usage and limit ranges. */
export type Quantity = NonNullable<ReturnType<typeof parseCanonical>>;

export const zeroQuantity = (format: Quantity["format"] = "DecimalSI"): Quantity => ({ negative: false, unscaled: 0n, scale: 0, format });

/** The quantity of a JSON value; a missing or unparsable one is zero (a ResourceList lookup of an absent key). */
export function quantityOf(v: unknown): Quantity {
  return (typeof v === "string" || typeof v === "number" ? parseCanonical(String(v)) : undefined) ?? zeroQuantity();
}

const signed = (q: Quantity, scale: number) => (q.negative ? -q.unscaled : q.unscaled) * pow10(q.scale - scale);

/** Quantity.Add / Sub: the format is the first operand's, unless it is zero (then the second's). */
export function addQuantity(a: Quantity, b: Quantity, sign: 1 | -1 = 1): Quantity {
  const scale = Math.min(a.scale, b.scale);
  const sum = signed(a, scale) + BigInt(sign) * signed(b, scale);
  const format = a.unscaled === 0n ? b.format : a.format;
  return { negative: sum < 0n, unscaled: sum < 0n ? -sum : sum, scale, format };
}

/** Quantity.Cmp of two parsed quantities. */
export function cmpQuantity(a: Quantity, b: Quantity): number {
  const scale = Math.min(a.scale, b.scale);
  const x = signed(a, scale);
  const y = signed(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Quantity.String() of a parsed quantity. */
export const quantityString = (q: Quantity): string => formatCanonical(q);

/** Quantity.MilliValue(): rounded up (away from zero). */
export function milliValue(q: Quantity): bigint {
  const shift = q.scale + 3;
  const v = shift >= 0 ? q.unscaled * pow10(shift) : (q.unscaled + pow10(-shift) - 1n) / pow10(-shift);
  return q.negative ? -v : v;
}
