import type { PolicyStatement } from "../iam/policy";

/** The 12-digit account of an IAM ARN or ARN pattern (`arn:aws:iam::<account>:role/...`). */
export function accountOfArn(arn: string): string {
  const account = arn.split(":")[4];
  if (!/^\d{12}$/.test(account ?? "")) throw new Error(`${arn} names no 12-digit account`);
  return account;
}

/**
 * A trust statement that lets exactly the given roles (ARNs or patterns with `*` / `?`) assume a role.
 * The principals are the roles' accounts, narrowed by `aws:PrincipalArn` with ArnLike: IAM rejects a
 * trust policy that names a role which does not exist yet, and an SSO role's path is only known as a
 * pattern. A role in a named account can only be assumed by a principal whose ARN matches a pattern.
 */
export function trustRoles(arnPatterns: readonly string[]): PolicyStatement {
  const patterns = [...new Set(arnPatterns)];
  const accounts = [...new Set(patterns.map(accountOfArn))].map((account) => `arn:aws:iam::${account}:root`);
  return {
    sid: "TrustNamedRoles",
    actions: ["sts:AssumeRole"],
    principals: { AWS: accounts },
    conditions: { ArnLike: { "aws:PrincipalArn": patterns } },
  };
}
