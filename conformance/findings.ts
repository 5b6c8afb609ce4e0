/** What the conformance checks report: which check, where (stack, resource, key or file), and what is wrong. */
export interface Finding {
  readonly check: string;
  /** "stack resource key" or a file path. */
  readonly where: string;
  readonly message: string;
}

export const finding = (check: string, where: string, message: string): Finding => ({ check, where, message });
