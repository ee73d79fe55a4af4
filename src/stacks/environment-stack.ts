import { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig, LambdaConfig, PlatformConfig } from "../config/types";
import { PlatformKey } from "../keys/platform-key";
import { AlarmTopic } from "../monitoring/alarm-topic";
import { environmentStackName, ResourceNames } from "../naming";
import { configureRemoteBackend } from "./backend";
import { accountProvider } from "./providers";
import { platformTags } from "./tags";
import { PlatformStack } from "./platform-stack";

export interface EnvironmentStackProps {
  readonly platform: PlatformConfig;
  readonly environment: EnvironmentConfig;
  readonly region: string;
}

/**
 * Everything of one environment in one region (`dev-us-east-1`). This class sets up what every
 * capability needs — remote state, the providers, the environment key and the alarm topic — and the
 * capabilities are composed on top of it.
 *
 * Providers: the default one assumes the environment's deployment role in the stack's region;
 * `otherRegion` reaches the same account in the environment's other region; `next` reaches the next
 * environment of the promotion order in the same region (accepter sides, lookups). Cross-account
 * links are built by the upstream environment's stack, so the next environment deploys first.
 */
export class EnvironmentStack extends PlatformStack {
  readonly platform: PlatformConfig;
  readonly environment: EnvironmentConfig;
  readonly region: string;
  readonly otherRegion: string;
  readonly isPrimaryRegion: boolean;
  readonly names: ResourceNames;
  readonly tags: Readonly<Record<string, string>>;
  readonly otherRegionProvider: AwsProvider;
  /** The environment after this one in the promotion order, if any. */
  readonly nextEnvironment?: EnvironmentConfig;
  /** The environment before this one in the promotion order, if any. */
  readonly previousEnvironment?: EnvironmentConfig;
  readonly nextProvider?: AwsProvider;
  readonly key: PlatformKey;
  readonly alarmTopic: AlarmTopic;
  readonly functionDefaults: LambdaConfig;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    const stackName = environmentStackName(props.environment.name, props.region);
    super(scope, stackName);
    const { platform, environment, region } = props;
    this.platform = platform;
    this.environment = environment;
    this.region = region;
    this.isPrimaryRegion = region === platform.primaryRegion;
    this.otherRegion = this.isPrimaryRegion ? platform.drRegion : platform.primaryRegion;
    this.names = new ResourceNames(platform.project, environment.name, environment.accountId, region);
    this.tags = platformTags(platform.project, environment.name, platform.tags);
    this.functionDefaults = platform.lambda;

    configureRemoteBackend(this, { stackName, s3: platform.stateBackend, project: platform.project, terraformCloud: platform.terraformCloud });

    const account = { accountId: environment.accountId, roleName: environment.deploymentRoleName, tags: this.tags, sessionName: `cdktf-${stackName}` };
    accountProvider(this, "aws", { ...account, region });
    this.otherRegionProvider = accountProvider(this, "aws-other-region", { ...account, region: this.otherRegion, alias: "other_region" });

    const position = platform.promotionOrder.indexOf(environment.name);
    const byName = (name: string | undefined) => platform.environments.find((e) => e.name === name);
    this.previousEnvironment = position > 0 ? byName(platform.promotionOrder[position - 1]) : undefined;
    this.nextEnvironment = byName(platform.promotionOrder[position + 1]);
    if (this.nextEnvironment) {
      this.nextProvider = accountProvider(this, "aws-next", {
        accountId: this.nextEnvironment.accountId,
        roleName: this.nextEnvironment.deploymentRoleName,
        region,
        tags: platformTags(platform.project, this.nextEnvironment.name, platform.tags),
        sessionName: `cdktf-${stackName}`,
        alias: "next",
      });
    }
    new ArchiveProvider(this, "archive");

    this.key = new PlatformKey(this, "key", {
      description: `${platform.project} ${environment.name} data in ${region}`,
      alias: this.names.keyAlias,
      accountId: environment.accountId,
      region,
      deletionProtection: environment.deletionProtection,
    });
    this.alarmTopic = new AlarmTopic(this, "alarms", {
      topicName: this.names.environmentScoped("alarms"),
      key: this.key,
      accountId: environment.accountId,
      emails: platform.alarmEmails,
    });

    new TerraformOutput(this, "kms_key_arn", { value: this.key.arn, description: `ARN of the ${environment.name} environment key in ${region}` });
    new TerraformOutput(this, "alarm_topic_arn", { value: this.alarmTopic.arn, description: `SNS topic that receives the ${environment.name} alarms in ${region}` });
  }
}
