import { RuleFile, StackRule } from "../lib/rule";
import { AWS } from "../lib/types";
import { listOf, objectOf } from "../lib/values";

/** AWS resources that cost nothing by themselves: identity, policies, the provider. A stack of only these (or only Kubernetes objects) needs no budget. */
const FREE_AWS_TYPES = /^aws:(iam|index|organizations|budgets)\//;
const isBilledAws = (type: string) => type.startsWith("aws:") && !FREE_AWS_TYPES.test(type);

export const budgetAlert: StackRule = {
    name: "budget-alert",
    appliesTo: [],
    description: "A stack that creates billed AWS resources has a cost budget that alerts someone.",
    severity: "low",
    checklist: ["OBS-06"],
    references: ["https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-managing-costs.html"],
    remediation:
        "Add an aws.budgets.Budget with budgetType COST and notifications (actual and forecast) to subscriberEmailAddresses or subscriberSnsTopicArns.",
    validate(stack, _config, report) {
        if (!stack.resources.some((r) => isBilledAws(r.type))) {
            return;
        }
        const alerting = stack
            .ofType(AWS.budget)
            .filter(
                (budget) =>
                    budget.props.budgetType === "COST" &&
                    (listOf(budget.props.notifications) ?? [])
                        .map(objectOf)
                        .some((n) => (listOf(n?.subscriberEmailAddresses) ?? []).length > 0 || (listOf(n?.subscriberSnsTopicArns) ?? []).length > 0),
            );
        if (alerting.length === 0) {
            report("no COST budget with a notification to someone");
        }
    },
};

export const budgetsRules: RuleFile = {
    title: "AWS Budgets",
    resource: [],
    stack: [budgetAlert] as StackRule<any>[],
};
