import { describe, expect, it } from "vitest";
import { changeText } from "./auditTrail";

describe("changeText", () => {
  it("names only the fields that changed, before → after", () => {
    expect(
      changeText({
        before: '{"status":"awaiting_payment","actual_amount":null,"memo":"ARB c1 A"}',
        after: '{"status":"confirmed","actual_amount":"600.00","memo":"ARB c1 A"}',
      }),
    ).toBe("status: awaiting_payment → confirmed; actual_amount: — → 600.00");
  });
  it("does not name a field missing on one side and null on the other", () => {
    expect(changeText({ before: '{"status":"draft"}', after: '{"status":"pending_approval","reason":null}' })).toBe("status: draft → pending_approval");
  });
  it("says created for a record without a before", () => {
    expect(changeText({ before: null, after: '{"memo":"x"}' })).toBe("created");
  });
});
