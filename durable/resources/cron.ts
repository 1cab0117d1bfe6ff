// Cron schedules as the CronJob controller reads them: github.com/robfig/cron/v3's ParseStandard
// (5 fields with ranges, steps, lists and names; @yearly … @hourly; @every <duration>; a TZ= or
// CRON_TZ= prefix) with its error messages, which the API server returns verbatim, and Next() in
// a time zone. Zones come from the runtime's ICU data (Intl), as Go's time.LoadLocation reads the
// tz database.

export interface Schedule {
  /** The first activation strictly after `t` (ms), or undefined when there is none within 5 years. */
  next(t: number): number | undefined;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MINUTE: Bounds = { min: 0, max: 59 };
const HOUR: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) };
const DOW: Bounds = { min: 0, max: 6, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) };

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** A parsed field: the allowed values, and whether it was `*` or `?` (robfig's starBit). */
interface Field {
  values: Set<number>;
  star: boolean;
}

/** Go's strconv.Atoi error text. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${s}`);
  return n;
}

const intOrName = (s: string, b: Bounds): number => b.names?.[s.toLowerCase()] ?? atoi(s);

/** robfig's getRange for one comma-separated part. */
function parseRange(expr: string, b: Bounds, into: Field): void {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = intOrName(lowAndHigh[0], b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1], b);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1]);
    if (single) end = b.max; // N/step means N-max/step
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new Error(`too many slashes: ${expr}`);
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.values.add(v);
  into.star ||= star;
}

function parseField(s: string, b: Bounds): Field {
  const f: Field = { values: new Set(), star: false };
  for (const part of s.split(",")) parseRange(part, b, f);
  return f;
}

/** Is `zone` a time zone Go's time.LoadLocation would load? ("" and "UTC" are UTC, "Local" is ours.) */
export function loadLocation(zone: string): string {
  if (zone === "" || zone === "UTC") return "UTC";
  if (zone === "Local") return "UTC"; // the controller manager's local zone
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    throw new Error(`unknown time zone ${zone}`);
  }
  // ICU also takes offsets ("+01:00") and any letter case; the tz database has neither.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) throw new Error(`unknown time zone ${zone}`);
  return zone;
}

// ---- wall clocks in a zone -------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at instant `t`, in ms. */
export function zoneOffset(zone: string, t: number): number {
  if (zone === "UTC") return 0;
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(t / 1000) * 1000;
}

/** The instant of a wall time (given as a UTC-based ms value) in `zone`. */
function wallToInstant(zone: string, wall: number): number {
  const guess = wall - zoneOffset(zone, wall);
  return wall - zoneOffset(zone, guess);
}

/** time.Format(time.RFC3339) of `t` in `zone`: "2025-01-01T09:00:00+09:00" or "…Z" for UTC. */
export function rfc3339In(zone: string, t: number): string {
  const off = zoneOffset(zone, t);
  const wall = new Date(t + off).toISOString().replace(/\.\d{3}Z$/, "");
  if (off === 0 && zone === "UTC") return `${wall}Z`;
  const m = Math.abs(off) / 60_000;
  return `${wall}${off < 0 ? "-" : "+"}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

// ---- schedules ----------------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const FIVE_YEARS_MS = 5 * 366 * 86_400_000;

class SpecSchedule implements Schedule {
  constructor(
    private readonly f: { minute: Field; hour: Field; dom: Field; month: Field; dow: Field },
    private readonly zone: string,
  ) {}

  private dayMatches(d: Date): boolean {
    const dom = this.f.dom.values.has(d.getUTCDate());
    const dow = this.f.dow.values.has(d.getUTCDay());
    return this.f.dom.star || this.f.dow.star ? dom && dow : dom || dow;
  }

  next(t: number): number | undefined {
    // Search the zone's wall clock, field by field, then map the match back to an instant.
    let w = Math.floor((t + zoneOffset(this.zone, t)) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    const limit = w + FIVE_YEARS_MS;
    while (w < limit) {
      const d = new Date(w);
      if (!this.f.month.values.has(d.getUTCMonth() + 1)) {
        w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      } else if (!this.dayMatches(d)) {
        w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      } else if (!this.f.hour.values.has(d.getUTCHours())) {
        w = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      } else if (!this.f.minute.values.has(d.getUTCMinutes())) {
        w += MINUTE_MS;
      } else {
        const at = wallToInstant(this.zone, w);
        if (at > t) return at;
        w += MINUTE_MS; // a wall time repeated when clocks went back
      }
    }
    return undefined;
  }
}

/** @every: robfig's ConstantDelaySchedule (whole seconds, at least one). */
class EverySchedule implements Schedule {
  constructor(private readonly delay: number) {}
  next(t: number): number {
    return t - (t % 1000) + this.delay;
  }
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** time.ParseDuration, in ms. */
export function parseGoDuration(s: string): number {
  const bad = () => new Error(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let sign = 1;
  if (rest[0] === "-" || rest[0] === "+") {
    sign = rest[0] === "-" ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (!rest) throw bad();
  let total = 0;
  while (rest) {
    const m = /^(\d*\.?\d*)([a-zµμ]+)/.exec(rest);
    if (!m || m[1] === "" || m[1] === ".") throw bad();
    const unit = GO_UNITS[m[2]];
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(m[2])} in duration ${JSON.stringify(s)}`);
    total += Number(m[1]) * unit;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** cron.ParseStandard: a Schedule, or an Error with robfig's message. */
export function parseStandard(spec: string): Schedule {
  if (spec.length === 0) throw new Error("empty spec string");
  let zone = "UTC";
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const i = spec.indexOf(" ");
    const name = spec.slice(spec.indexOf("=") + 1, i < 0 ? undefined : i);
    try {
      zone = loadLocation(name);
    } catch (e) {
      throw new Error(`provided bad location ${name}: ${(e as Error).message}`);
    }
    spec = i < 0 ? "" : spec.slice(i).trim();
  }
  if (spec.startsWith("@")) {
    if (spec.startsWith("@every ")) {
      let ms: number;
      try {
        ms = parseGoDuration(spec.slice("@every ".length));
      } catch (e) {
        throw new Error(`failed to parse duration ${spec}: ${(e as Error).message}`);
      }
      return new EverySchedule(Math.max(1000, ms - (ms % 1000)));
    }
    const expansion = DESCRIPTORS[spec];
    if (!expansion) throw new Error(`unrecognized descriptor: ${spec}`);
    spec = expansion;
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
  const [minute, hour, dom, month, dow] = fields;
  return new SpecSchedule(
    {
      minute: parseField(minute, MINUTE),
      hour: parseField(hour, HOUR),
      dom: parseField(dom, DOM),
      month: parseField(month, MONTH),
      dow: parseField(dow, DOW),
    },
    zone,
  );
}

/** The schedule in the CronJob's spec.timeZone (which the validation keeps apart from TZ= prefixes). */
export function scheduleIn(spec: string, timeZone: string | undefined): Schedule {
  return parseStandard(timeZone != null && !/^(CRON_)?TZ=/.test(spec) ? `CRON_TZ=${timeZone} ${spec}` : spec);
}
