// What a failure in the window itself (not a command's refusal) says to the person using it.

/** A thrown value of any kind as one line: an Error's message, an `{code, message}`, or its text. */
export function describeUiError(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (e && typeof e === "object" && "message" in e && typeof (e as { message: unknown }).message === "string") {
    return (e as { message: string }).message;
  }
  if (typeof e === "string" && e.trim() !== "") return e;
  return "an unknown error";
}
