// The module object itself (an `import * as` namespace is a copy): cdktf calls execSync through it.
import childProcess = require("child_process");
import { DataResource, Fn, TerraformStack, Testing } from "cdktf";
import { resolve } from "../../src/policy-checks/resource-view";
import { TerraformData } from "../../src/synth/terraform-data";

const config = { input: { value: Fn.uuid() }, triggersReplace: { version: 2 }, lifecycle: { ignoreChanges: ["input"] } };

test("writes the same Terraform JSON as cdktf's DataResource", () => {
  const ours = new TerraformStack(Testing.app(), "s");
  new TerraformData(ours, "secret", config).outputValue("value");
  const theirs = new TerraformStack(Testing.app(), "s");
  new DataResource(theirs, "secret", config);
  expect(JSON.parse(Testing.synth(ours)).resource).toEqual(JSON.parse(Testing.synth(theirs)).resource);
  expect(JSON.parse(Testing.synth(ours)).resource.terraform_data.secret).toMatchObject({ input: { value: "${uuid()}" }, triggers_replace: { version: 2 } });
});

test("a reference to a key of its output reads output.<key>", () => {
  const stack = new TerraformStack(Testing.app(), "s");
  const data = new TerraformData(stack, "secret", config);
  expect(resolve(stack, data.outputValue("value"))).toBe("${terraform_data.secret.output.value}");
});

test("validating it runs no terraform binary (cdktf's DataResource runs `terraform version` on every synth)", () => {
  const execSync = jest.spyOn(childProcess, "execSync");
  try {
    const ours = new TerraformStack(Testing.app(), "s");
    new TerraformData(ours, "secret", config);
    ours.runAllValidations();
    expect(execSync).not.toHaveBeenCalled();
    const theirs = new TerraformStack(Testing.app(), "s");
    new DataResource(theirs, "secret", config);
    theirs.runAllValidations();
    expect(execSync).toHaveBeenCalledWith("terraform version", expect.anything());
  } finally {
    execSync.mockRestore();
  }
});

test("HCL output writes input and triggers_replace as maps (cdktf's DataResource writes the map's only value)", () => {
  const stack = new TerraformStack(Testing.app({ hclOutput: true } as never), "s");
  new TerraformData(stack, "secret", config);
  const hcl = String(stack.toHclTerraform().hcl);
  expect(hcl).toMatch(/input = \{\nvalue = "\$\{uuid\(\)\}"\n\}/);
  expect(hcl).toMatch(/triggers_replace = \{\nversion = 2\n\}/);
});
