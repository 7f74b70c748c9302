import { PolicyResource } from "@pulumi/policy";
import { valueAt } from "./kubernetes";
import { StackView } from "./stack";
import { AWS_DATA, AWS_EDGE } from "./types";
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
    return stack.ofType(AWS_EDGE.snsTopicSubscription).some((subscription) =>
        stack.referencedBy(subscription, "topic").some((r) => r.urn === topic.urn) || (typeof arn === "string" && peek(subscription.props, "topic") === arn));
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
