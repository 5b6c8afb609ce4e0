// @ts-check
import eslint from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "cdktf.out/",
      "cdktf.out.keep-data/",
      "cdktf.out.fsx-parked/",
      "cdktf.out.delete-data/",
      "generated/",
      "kustomize-out/",
      "coverage/",
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  { files: ["**/*.cjs"], rules: { "@typescript-eslint/no-require-imports": "off" } },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { module: "writable", require: "readonly", __dirname: "readonly", process: "readonly" },
    },
  },
  {
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/consistent-type-imports": "error",
      // The provider barrels load every resource binding (seconds, gigabytes): deep-import only.
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@cdktf/provider-aws", message: "Deep-import, e.g. @cdktf/provider-aws/lib/eks-cluster." },
            { name: "@cdktf/provider-helm", message: "Deep-import, e.g. @cdktf/provider-helm/lib/release." },
            {
              name: "@cdktf/provider-kubernetes",
              message: "Deep-import, e.g. @cdktf/provider-kubernetes/lib/namespace-v1.",
            },
          ],
        },
      ],
    },
  },
);
