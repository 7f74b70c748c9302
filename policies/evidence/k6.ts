/**
 * k6 end-of-test summaries in one shape, from either of the JSON files k6 writes:
 *
 * - `handleSummary(data)` returning `JSON.stringify(data)`: `metrics.<name>` is `{type, contains, values: {...}}`,
 *   with `thresholds: {"<expr>": {ok: boolean}}` on metrics that have thresholds, plus `state.testRunDurationMs`.
 * - `--summary-export`: the same metrics flattened (`metrics.<name>` is the values themselves; a Rate's `rate` is
 *   renamed `value`) and every threshold a boolean that is TRUE WHEN IT FAILED (k6 issue #1498). k6 1.x outside
 *   `--summary-mode=legacy` writes the thresholds under a top-level `thresholds.<metric>.<expr>` instead, still
 *   `true` = failed. `state` is deleted from the export by current k6 (older versions kept it).
 */
import { z } from "zod";
import { Evidence, K6Facts } from "./types";
import { compareText, figure, has, objectOf, plural, validate } from "./util";

const LABEL = "k6 summary";

const metricValues = z.record(z.string(), z.number().nullable());

const handleSummarySchema = z.object({
    state: z.object({ testRunDurationMs: z.number().nonnegative().optional() }).optional(),
    metrics: z.record(
        z.string(),
        z.object({
            type: z.enum(["counter", "gauge", "rate", "trend"]),
            values: metricValues,
            thresholds: z.record(z.string(), z.object({ ok: z.boolean() })).optional(),
        }),
    ),
});

const summaryExportSchema = z.object({
    state: z.object({ testRunDurationMs: z.number().nonnegative().optional() }).optional(),
    thresholds: z.record(z.string(), z.record(z.string(), z.boolean())).optional(),
    metrics: z.record(z.string(), z.object({ thresholds: z.record(z.string(), z.boolean()).optional() }).catchall(z.number().nullable())),
});

/** True when the JSON has k6's summary shape: `metrics` with `root_group`, `state.testRunDurationMs` or `options.summaryTrendStats`. */
export function looksLikeK6(object: Record<string, unknown>): boolean {
    if (!objectOf(object.metrics)) {
        return false;
    }
    const state = objectOf(object.state);
    const options = objectOf(object.options);
    return (
        objectOf(object.root_group) !== undefined ||
        (state !== undefined && has(state, "testRunDurationMs")) ||
        (options !== undefined && has(options, "summaryTrendStats"))
    );
}

type Values = Record<string, number | null | undefined>;

const numberIn = (values: Values | undefined, key: string): number | undefined => {
    const value = values?.[key];
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
};

export function readK6(file: string, object: Record<string, unknown>): Evidence<"k6"> {
    const metrics = objectOf(object.metrics) ?? {};
    const handleSummary = Object.values(metrics).some((metric) => {
        const entry = objectOf(metric);
        return entry !== undefined && has(entry, "values");
    });

    // Per metric: its type when known, its values, and its thresholds as [expression, failed].
    const table = new Map<string, { type?: string; values: Values; thresholds: [string, boolean][] }>();
    let testRunDurationMs: number | undefined;
    if (handleSummary) {
        const data = validate(file, handleSummarySchema, object, `${LABEL} (handleSummary JSON)`);
        testRunDurationMs = data.state?.testRunDurationMs;
        for (const [name, metric] of Object.entries(data.metrics)) {
            const thresholds = Object.entries(metric.thresholds ?? {}).map(([expression, result]): [string, boolean] => [expression, !result.ok]);
            table.set(name, { type: metric.type, values: metric.values, thresholds });
        }
    } else {
        const data = validate(file, summaryExportSchema, object, `${LABEL} (--summary-export)`);
        testRunDurationMs = data.state?.testRunDurationMs;
        for (const [name, metric] of Object.entries(data.metrics)) {
            const { thresholds, ...values } = metric;
            table.set(name, { values: values, thresholds: Object.entries(thresholds ?? {}) });
        }
        for (const [name, thresholds] of Object.entries(data.thresholds ?? {})) {
            const entry = table.get(name) ?? { values: {}, thresholds: [] };
            for (const [expression, failed] of Object.entries(thresholds)) {
                if (!entry.thresholds.some(([known]) => known === expression)) {
                    entry.thresholds.push([expression, failed]);
                }
            }
            table.set(name, entry);
        }
    }

    const values = (name: string) => table.get(name)?.values;
    // A Rate is "rate" in handleSummary data and "value" in the legacy export (k6 1.x's export keeps "rate").
    const rateOf = (name: string) => numberIn(values(name), "rate") ?? numberIn(values(name), "value");
    const isRate = (name: string) => {
        const entry = table.get(name)!;
        return entry.type !== undefined ? entry.type === "rate" : has(entry.values, "passes") && has(entry.values, "fails");
    };

    let durationSeconds = testRunDurationMs !== undefined ? testRunDurationMs / 1000 : undefined;
    if (durationSeconds === undefined) {
        // A Counter's rate is count per second of the run, so count / rate is the run's length.
        const iterations = numberIn(values("iterations"), "count");
        const perSecond = numberIn(values("iterations"), "rate");
        durationSeconds = iterations !== undefined && perSecond !== undefined && iterations > 0 && perSecond > 0 ? iterations / perSecond : undefined;
    }
    const cacheMetric = [...table.keys()].filter((name) => /cache_hit/i.test(name) && !name.includes("{") && isRate(name)).sort(compareText)[0];
    const all = [...table.entries()].flatMap(([name, entry]) => entry.thresholds.map(([expression, failed]) => ({ label: `${name}: ${expression}`, failed })));

    const facts: K6Facts = {
        format: handleSummary ? "handle-summary" : "summary-export",
        p95DurationMs: numberIn(values("http_req_duration"), "p(95)"),
        errorRate: rateOf("http_req_failed"),
        maxVus: numberIn(values("vus_max"), "max") ?? numberIn(values("vus_max"), "value"),
        durationSeconds,
        requests: numberIn(values("http_reqs"), "count"),
        cacheHitRate: cacheMetric !== undefined ? rateOf(cacheMetric) : undefined,
        thresholds: all.length,
        failedThresholds: all
            .filter((threshold) => threshold.failed)
            .map((threshold) => threshold.label)
            .sort(compareText),
    };
    const parts = [
        `p95 ${facts.p95DurationMs === undefined ? "n/a" : `${figure(facts.p95DurationMs, 1)} ms`}`,
        `errors ${facts.errorRate === undefined ? "n/a" : `${figure(facts.errorRate * 100)}%`}`,
        `${facts.maxVus ?? "n/a"} max VUs`,
        `${facts.requests ?? "n/a"} requests`,
        facts.durationSeconds === undefined ? "duration n/a" : `${figure(facts.durationSeconds, 0)} s`,
    ];
    if (facts.cacheHitRate !== undefined) {
        parts.push(`cache hits ${figure(facts.cacheHitRate * 100)}%`);
    }
    parts.push(`${facts.failedThresholds.length} of ${plural(facts.thresholds, "threshold")} failed`);
    return { kind: "k6", file, summary: parts.join(", "), facts };
}
