import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, tagsNamed } from "./tags";

export interface BudgetArgs {
    /** Monthly cost limit in USD. */
    monthlyLimitUsd: number;
    /** The environment's value of the `Environment` cost allocation tag: the budget counts only its resources. */
    environment: string;
    /** Who hears about it. */
    emails: pulumi.Input<string>[];
    /** SNS topics that hear about it too. */
    topicArns?: pulumi.Input<string>[];
    tags?: Tags;
}

/** A monthly cost budget that warns at 80 % of actual spend, and when the forecast goes over the limit. */
export class Budget extends pulumi.ComponentResource {
    public readonly budgetName: pulumi.Output<string>;

    constructor(name: string, args: BudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Budget", name, {}, opts);
        const notify = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
            notificationType,
            comparisonOperator: "GREATER_THAN",
            threshold,
            thresholdType: "PERCENTAGE",
            subscriberEmailAddresses: args.emails,
            subscriberSnsTopicArns: args.topicArns,
        });
        const budget = new aws.budgets.Budget(
            `${name}-monthly`,
            {
                budgetType: "COST",
                timeUnit: "MONTHLY",
                limitAmount: args.monthlyLimitUsd.toFixed(2),
                limitUnit: "USD",
                // Counts what carries this environment's tag (activate `Environment` as a cost allocation tag).
                costFilters: [{ name: "TagKeyValue", values: [`user:Environment$${args.environment}`] }],
                notifications: [notify("ACTUAL", 80), notify("ACTUAL", 100), notify("FORECASTED", 100)],
                tags: tagsNamed(args.tags, `${name}-monthly`),
            },
            { parent: this },
        );
        this.budgetName = budget.name;
        this.registerOutputs({ budgetName: this.budgetName });
    }
}
