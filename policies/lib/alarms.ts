import { PolicyResource } from "@pulumi/policy";
import { valueAt } from "./kubernetes";
import { listOf, objectOf, peek } from "./values";

/** The (namespace, metric name, dimensions) an alarm watches: its own metric, and those of its metric-math queries. */
export function watchedMetrics(alarm: PolicyResource): { namespace: unknown; metricName: unknown; dimensions: unknown }[] {
    const own = { namespace: peek(alarm.props, "namespace"), metricName: peek(alarm.props, "metricName"), dimensions: peek(alarm.props, "dimensions") };
    const queries = (listOf(peek(alarm.props, "metricQueries")) ?? []).map((query) => {
        const metric = objectOf(valueAt(query, "metric"));
        return { namespace: peek(metric, "namespace"), metricName: peek(metric, "metricName"), dimensions: peek(metric, "dimensions") };
    });
    return [own, ...queries];
}

export function notifies(alarm: PolicyResource): boolean {
    return peek(alarm.props, "actionsEnabled") !== false && (listOf(peek(alarm.props, "alarmActions")) ?? []).length > 0;
}
