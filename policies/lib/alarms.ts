import { PolicyResource } from "@pulumi/policy";
import { valueAt } from "./kubernetes";
import { StackView } from "./stack";
import { AWS, AWS_DATA, AWS_EDGE } from "./types";
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

/** The SNS topics of the stack an alarm's actions publish to (by reference, or by the ARN written out). */
export function actionTopics(stack: StackView, alarm: PolicyResource): PolicyResource[] {
    const arns = listOf(peek(alarm.props, "alarmActions")) ?? [];
    const referenced = stack.referencedBy(alarm, "alarmActions").filter((r) => r.type === AWS_DATA.snsTopic);
    const byArn = stack.ofType(AWS_DATA.snsTopic).filter((topic) => {
        const arn = peek(topic.props, "arn");
        return typeof arn === "string" && arns.includes(arn);
    });
    return [...new Set([...referenced, ...byArn])];
}

/** Whether a topic of the stack has a subscription: someone receives what is published to it. */
export function isSubscribed(stack: StackView, topic: PolicyResource): boolean {
    const arn = peek(topic.props, "arn");
    return stack
        .ofType(AWS_EDGE.snsTopicSubscription)
        .some(
            (subscription) =>
                stack.referencedBy(subscription, "topic").some((r) => r.urn === topic.urn) ||
                (typeof arn === "string" && peek(subscription.props, "topic") === arn),
        );
}

/**
 * Whether an alarm notifies someone: its actions are enabled and not empty, and (given the stack) at least one of them is
 * not a topic of the stack that nobody subscribes to. A topic made elsewhere is taken to be delivered.
 */
export function notifies(alarm: PolicyResource, stack?: StackView): boolean {
    const actions = listOf(peek(alarm.props, "alarmActions")) ?? [];
    if (peek(alarm.props, "actionsEnabled") === false || actions.length === 0) {
        return false;
    }
    if (!stack) {
        return true;
    }
    const topics = actionTopics(stack, alarm);
    const silent = topics.filter((topic) => !isSubscribed(stack, topic));
    return silent.length === 0 || actions.length > silent.length;
}

/** Metric names an alarm watches: its own metric, or those of its metric-math queries. */
export function metricsOf(alarm: PolicyResource): string[] {
    const queries = (listOf(alarm.props.metricQueries) ?? []).map((q) => objectOf(objectOf(q)?.metric)?.metricName);
    return [alarm.props.metricName, ...queries].filter((m): m is string => typeof m === "string");
}

/** Dimension values of an alarm, its queries' included. */
function dimensionsOf(alarm: PolicyResource): Record<string, unknown>[] {
    const queries = (listOf(alarm.props.metricQueries) ?? []).map((q) => objectOf(objectOf(objectOf(q)?.metric)?.dimensions));
    return [objectOf(alarm.props.dimensions), ...queries].filter((d): d is Record<string, unknown> => !!d);
}

/** Alarms on a resource: those whose inputs come from it, or whose dimension names it. */
export function alarmsOn(stack: StackView, resource: PolicyResource, dimension: string, value: unknown): PolicyResource[] {
    const referencing = new Set(stack.referencing(resource, [AWS.metricAlarm]).map((a) => a.urn));
    return stack
        .ofType(AWS.metricAlarm)
        .filter((alarm) => referencing.has(alarm.urn) || (value !== undefined && dimensionsOf(alarm).some((d) => d[dimension] === value)));
}
