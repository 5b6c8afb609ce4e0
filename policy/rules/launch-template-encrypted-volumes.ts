import type { PolicyRule } from "../rule";

/** CKV_AWS_8 / AwsSolutions-EC26: encrypted EBS volumes. */
export const launchTemplateEncryptedVolumes: PolicyRule = {
  id: "CKV_AWS_8 / AwsSolutions-EC26",
  title: "Launch template block devices are encrypted",
  fix: 'set block_device_mappings[*].ebs.encrypted = "true"',
  appliesTo: ["aws_launch_template"],
  check: ({ config }) => {
    const devices =
      (config.block_device_mappings as
        { device_name?: string; ebs?: { encrypted?: string | boolean } }[] | undefined) ?? [];
    if (devices.length === 0) return ["no block_device_mappings: the root volume's encryption is left to the AMI"];
    return devices
      .filter((d) => String(d.ebs?.encrypted) !== "true")
      .map((d) => `volume ${d.device_name ?? "?"} is not encrypted`);
  },
};
