// Reading the gateway's /metrics as Prometheus would: the text parsed by an independent parser
// (parse-prometheus-text-format, not prom-client, which wrote it), every sample value checked to be a
// number, and small look-ups by metric name and labels for the assertions.

import assert from 'node:assert/strict';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';

export type Exposition = MetricFamily[];

/** Parses the text format; throws on a malformed line or a sample value that is not a number. */
export function parseExposition(text: string): Exposition {
  const families = parsePrometheusTextFormat(text);
  for (const family of families) {
    for (const sample of family.metrics) {
      for (const v of [sample.value, sample.count, sample.sum, ...Object.values(sample.buckets ?? {})]) {
        if (v !== undefined)
          assert.ok(/^(?:[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|\.\d+)|[-+]?Inf|NaN)$/i.test(v), `${family.name}: sample value ${JSON.stringify(v)} is not a number`);
      }
    }
  }
  return families;
}

/** Scrapes a /metrics URL and parses it. */
export async function scrape(url: string): Promise<Exposition> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

export function family(exposition: Exposition, name: string): MetricFamily {
  const found = exposition.find((f) => f.name === name);
  assert.ok(found, `${name} is exposed`);
  return found;
}

/** The value of the sample of `name` with exactly these labels (0 when absent, as a counter not yet counted). */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string>): number {
  const sample = family(exposition, name).metrics.find((m) => {
    const own = m.labels ?? {};
    return Object.keys(own).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => own[k] === v);
  });
  return sample ? Number(sample.value) : 0;
}

/** Every label set of `name`'s samples. */
export function labelSets(exposition: Exposition, name: string): Record<string, string>[] {
  return family(exposition, name).metrics.map((m) => m.labels ?? {});
}
