/**
 * Reading Prometheus text in tests: a strict little parser for the exposition format prom-client
 * writes (`# HELP`, `# TYPE`, `name{label="value",…} number`), and a scrape over real HTTP.
 */
import { httpGet } from '../live/harness.ts';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export class Scrape {
  readonly samples: Sample[];
  readonly types = new Map<string, string>();

  constructor(text: string) {
    this.samples = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type !== null) this.types.set(type[1]!, type[2]!);
      if (line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
      this.samples.push({ name: match[1]!, labels, value: Number(match[3]) });
    }
  }

  /** The samples of one metric whose labels include `labels`. */
  all(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The one sample of `name` with exactly these labels (0 when absent: a counter never incremented). */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples.filter((s) => s.name === name && sameLabels(s.labels, labels));
    if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
    return found[0]?.value ?? 0;
  }

  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }
}

function sameLabels(a: Readonly<Record<string, string>>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** GETs the metrics; throws unless 200 with Prometheus text. */
export async function scrape(url: string, token?: string): Promise<Scrape> {
  const response = await httpGet(url, token === undefined ? {} : { authorization: `Bearer ${token}` });
  if (response.status !== 200) throw new Error(`metrics answered ${response.status}`);
  return new Scrape(response.body);
}
