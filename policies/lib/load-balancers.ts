/** An application load balancer: the type aws.lb.LoadBalancer creates when loadBalancerType is not set. */
export const isApplicationLoadBalancer = (props: Record<string, any>) =>
    props.loadBalancerType === undefined || props.loadBalancerType === null || props.loadBalancerType === "application";
