import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { buildStacks, DR, PRIMARY, resources, synth, synthText } from "./helpers";

// GIVEN the built-in example (prod has the edge tier; us-east-1 is the primary region)
const stacks = buildStacks();
const topic = (region: string) => `arn:aws:sns:${region}:333333333333:replica-prod-alarms`;
const alarmsOf = (name: string) => resources(synth(stacks.get(name)!), "aws_cloudwatch_metric_alarm").filter((a) => a.alarm_name.startsWith("replica-prod-app-") || a.alarm_name.startsWith("replica-prod-edge-"));

describe.each([
  [PRIMARY, "us-east-1"],
  [DR, "eu-west-1"],
])("alarms of %s", (name, region) => {
  test("unhealthy hosts, 5xx rate, origin latency and Auto Scaling at its maximum notify the region's topic", () => {
    const alarms = alarmsOf(name).filter((a) => a.alarm_name.startsWith("replica-prod-app-"));
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual(
      [`replica-prod-app-${region}-5xx-rate`, `replica-prod-app-${region}-at-max-capacity`, `replica-prod-app-${region}-origin-latency`, `replica-prod-app-${region}-unhealthy-hosts`].sort(),
    );
    const topicAddress = Object.keys(synth(stacks.get(name)!).resource.aws_sns_topic)[0];
    for (const alarm of alarms) expect(alarm.alarm_actions).toEqual([`\${aws_sns_topic.${topicAddress}.arn}`]);
  });

  test("the 5xx rate counts the load balancer's and the instances' 5xx against all requests", () => {
    const alarm = alarmsOf(name).find((a) => a.alarm_name.endsWith("-5xx-rate") && a.alarm_name.includes("-app-"));
    expect(alarm.metric_query.map((q: any) => q.metric?.metric_name ?? q.expression)).toEqual(["100 * (FILL(elb, 0) + FILL(target, 0)) / requests", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "RequestCount"]);
  });

  test("'at maximum' compares the group's desired capacity with its maximum size", () => {
    const alarm = alarmsOf(name).find((a) => a.alarm_name.endsWith("-at-max-capacity"));
    expect(alarm).toMatchObject({ comparison_operator: "LessThanOrEqualToThreshold", threshold: 0 });
    expect(alarm.metric_query.map((q: any) => q.metric?.metric_name ?? q.expression)).toEqual(["max - desired", "GroupMaxSize", "GroupDesiredCapacity"]);
  });
});

test("the edge 5xx alarm reads CloudFront's metrics in us-east-1 and notifies the us-east-1 topic", () => {
  expect(synthText(stacks.get(PRIMARY)!)).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
    alarm_name: "replica-prod-edge-5xx-rate",
    region: "us-east-1",
    namespace: "AWS/CloudFront",
    metric_name: "5xxErrorRate",
    dimensions: { DistributionId: expect.stringMatching(/^\$\{aws_cloudfront_distribution\..*\.id\}$/), Region: "Global" },
    alarm_actions: [topic("us-east-1")],
  });
});

describe("outputs", () => {
  test("the primary stack outputs the distribution, both regions' load balancer DNS names and Auto Scaling group names", () => {
    const outputs = synth(stacks.get(PRIMARY)!).output;
    expect(outputs.edge_distribution_id.value).toMatch(/aws_cloudfront_distribution\..*\.id/);
    expect(outputs.edge_distribution_domain_name.value).toMatch(/aws_cloudfront_distribution\..*\.domain_name/);
    expect(outputs.edge_load_balancer_dns_name.value).toMatch(/^\$\{aws_lb\..*\.dns_name\}$/);
    expect(outputs.edge_dr_load_balancer_dns_name.value).toMatch(/^\$\{data\.aws_lb\..*\.dns_name\}$/);
    expect(outputs.edge_autoscaling_group_name.value).toMatch(/aws_autoscaling_group\..*\.name/);
    expect(outputs.edge_dr_autoscaling_group_name.value).toBe("replica-prod-app");
  });

  test("the DR stack outputs its own load balancer and group", () => {
    const outputs = synth(stacks.get(DR)!).output;
    expect(Object.keys(outputs).filter((k) => k.startsWith("edge_")).sort()).toEqual(["edge_autoscaling_group_name", "edge_load_balancer_dns_name"]);
  });

  test("environments without the tier have no edge outputs", () => {
    expect(Object.keys(synth(stacks.get("dev-us-east-1")!).output).filter((k) => k.startsWith("edge_"))).toEqual([]);
  });
});
