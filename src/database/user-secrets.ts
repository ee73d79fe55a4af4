import { Construct } from "constructs";
import type { DatabaseUserConfig } from "../config/types";
import { EphemeralRandomPassword, WriteOnlyMasterSecret } from "./master-password";

export interface ApplicationUserSecretsProps {
  /** The cluster's identifier: secrets are `<cluster>-user-<name>`. */
  readonly clusterIdentifier: string;
  readonly users: readonly DatabaseUserConfig[];
  /** The environment key. */
  readonly kmsKeyArn: string;
  /** Replicate each secret into the DR region (global databases), so a promoted secondary has them there. */
  readonly replica?: { readonly region: string; readonly kmsKeyArn: string };
  readonly recoveryWindowInDays: number;
}

/** One application user's secret, as the rotation wiring needs it. */
export interface ApplicationUserSecret {
  readonly user: DatabaseUserConfig;
  readonly name: string;
  readonly secret: WriteOnlyMasterSecret;
}

/**
 * The secrets of a database's application users: `{"username","password"}` encrypted with the
 * environment key. Terraform writes only a first version (the user's name and a random password no
 * server knows, through a write-only argument); the user itself is created by the rotation's first
 * run, which Terraform starts when it enables rotation (src/secret-rotation/).
 */
export class ApplicationUserSecrets extends Construct {
  readonly secrets: readonly ApplicationUserSecret[];

  constructor(scope: Construct, id: string, props: ApplicationUserSecretsProps) {
    super(scope, id);
    this.secrets = props.users.map((user) => {
      const name = `${props.clusterIdentifier}-user-${user.name}`;
      const secret = new WriteOnlyMasterSecret(this, user.name, {
        name,
        description: `Application user ${user.name} (${user.grant}) of ${props.clusterIdentifier}; rotated, alternating ${user.name} and ${user.name}_clone`,
        username: user.name,
        password: new EphemeralRandomPassword(this, `${user.name}-initial-password`),
        version: 1,
        kmsKeyArn: props.kmsKeyArn,
        replica: props.replica,
        dependsOn: [],
        recoveryWindowInDays: props.recoveryWindowInDays,
      });
      return { user, name, secret };
    });
  }
}
