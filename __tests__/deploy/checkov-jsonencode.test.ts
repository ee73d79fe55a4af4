import { withJsonencodeAsText } from "../../src/deploy/checkov/scan";

// checkov does not evaluate jsonencode of references in terraform_json: unconverted, a policy with a
// wildcard action and a reference would pass the scan unread.
test("the copy checkov scans holds every jsonencode argument as the JSON text it encodes", () => {
  // GIVEN a stack whose policy is jsonencode with a reference, beside one that is JSON text already
  const stack = {
    resource: {
      aws_iam_policy: {
        encoded: { policy: '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Action" = ["*"], "Resource" = [aws_sns_topic.t.arn]}]})}' },
        text: { policy: '{"Version":"2012-10-17","Statement":[]}' },
      },
    },
  };
  // WHEN it is prepared for checkov
  const { value, rewritten } = withJsonencodeAsText(stack);
  // THEN the encoded policy is JSON text with the reference as an interpolation, and the other is unchanged
  const policies = (value as typeof stack).resource.aws_iam_policy;
  expect(rewritten).toBe(1);
  expect(JSON.parse(policies.encoded.policy)).toEqual({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["*"], Resource: ["${aws_sns_topic.t.arn}"] }] });
  expect(policies.text.policy).toBe(stack.resource.aws_iam_policy.text.policy);
});
