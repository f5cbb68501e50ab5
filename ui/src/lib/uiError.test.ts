import { describe, expect, it } from "vitest";
import { describeUiError } from "./uiError";

describe("a window error", () => {
  it("is told in one line, whatever was thrown", () => {
    expect(describeUiError(new Error("each_key_duplicate"))).toBe("each_key_duplicate");
    expect(describeUiError({ code: "internal", message: "disk full" })).toBe("disk full");
    expect(describeUiError("boom")).toBe("boom");
    expect(describeUiError(undefined)).toBe("an unknown error");
  });
});
