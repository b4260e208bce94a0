/**
 * What an error says, for traces and probe details: "code: message" when it carries a stable
 * code (PortError, StoreError, …), else its message. Never more: no stacks on a terminal screen.
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
