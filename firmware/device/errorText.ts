/** The message of whatever an SDK call threw (XS host functions throw plain Errors), for PortError texts and traces. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
