/** Finds secret-looking literals (keys, tokens, passwords, real account ids) in text. */

export interface SecretFinding {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  /** The match with its middle masked, so a report never repeats a secret. */
  readonly excerpt: string;
}

/** Values that are obviously examples (documentation account ids, test stand-ins). */
const ALLOWED = [/example/i, /^stand-in-/, /^111122223333$/, /^123456789012$/, /^000000000000$/];

const CREDENTIAL_KEY =
  "(?:client[_-]?secret|cookie[_-]?secret|password|passwd|secret[_-]?key|api[_-]?key|auth[_-]?token)";

const PATTERNS: { kind: string; pattern: RegExp; group?: number }[] = [
  { kind: "AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  {
    kind: "AWS secret access key",
    pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})/gi,
    group: 1,
  },
  { kind: "private key", pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/g },
  { kind: "Google OAuth client secret", pattern: /\bGOCSPX-[A-Za-z0-9_-]{20,}/g },
  { kind: "GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g },
  { kind: "Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  // A quoted value anywhere, or a bare value filling the rest of a YAML/env/cfg line.
  {
    kind: "credential literal",
    pattern: new RegExp(`\\b${CREDENTIAL_KEY}["']?\\s*[:=]\\s*["']([^"'\\s\${}]{10,})["']`, "gi"),
    group: 1,
  },
  {
    kind: "credential literal",
    pattern: new RegExp(`^\\s*-?\\s*${CREDENTIAL_KEY}\\s*[:=]\\s*([^\\s"',;]{10,})\\s*$`, "gi"),
    group: 1,
  },
  { kind: "AWS account id in an ARN", pattern: /arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):/g, group: 1 },
];

function mask(value: string): string {
  return value.length <= 8 ? "****" : `${value.slice(0, 4)}…${value.slice(-2)}`;
}

/** Secret-looking literals in `text`, skipping obvious examples and Terraform references. */
export function scanText(file: string, text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  text.split("\n").forEach((lineText, index) => {
    for (const { kind, pattern, group } of PATTERNS) {
      for (const match of lineText.matchAll(pattern)) {
        const value = group ? match[group] : match[0];
        if (!value || ALLOWED.some((a) => a.test(value))) continue;
        // References and placeholders are not literals: ${...}, $(ENV), <placeholder>, process.env.
        if (
          /^(\$|<|process\.env|props\.|config\.|secret\.|params\.|this\.|p\.|env\.|undefined|null|true|false)/.test(
            value,
          )
        )
          continue;
        findings.push({ file, line: index + 1, kind, excerpt: mask(value) });
      }
    }
  });
  return findings;
}
