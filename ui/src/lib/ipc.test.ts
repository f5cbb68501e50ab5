import { describe, expect, it } from "vitest";
import { commands } from "../bindings/commands";
import { ApiError, attempt, toApiError } from "./ipc";

/** A fake `invoke` that records what would be sent to the Rust side. */
function recorder() {
  const sent: [string, Record<string, unknown>][] = [];
  const api = commands(async <T>(command: string, args: Record<string, unknown>) => {
    sent.push([command, args]);
    return null as T;
  });
  return { api, sent };
}

describe("the generated commands", () => {
  it("send the Rust command name with camelCase argument names", async () => {
    const { api, sent } = recorder();
    await api.expectedExport("/tmp/x.csv", "c1");
    await api.matchAcceptAbove(1000, true);
    await api.walletList();
    expect(sent).toEqual([
      ["expected_export", { path: "/tmp/x.csv", cycle: "c1", status: null }],
      ["match_accept_above", { minScore: 1000, dryRun: true }],
      ["wallet_list", {}],
    ]);
  });

  it("send trailing optional arguments left out as null", async () => {
    const { api, sent } = recorder();
    await api.matchUnlink(7);
    await api.expectedList();
    await api.importPreview("/tmp/a.csv");
    expect(sent).toEqual([
      ["match_unlink", { rowid: 7, memo: null }],
      ["expected_list", { cycle: null, status: null }],
      ["import_preview", { path: "/tmp/a.csv", profile: null, wallet: null, dateOrder: null }],
    ]);
  });
});

describe("errors", () => {
  it("keep a command's code and message", () => {
    const e = toApiError({ code: "invalid_input", message: "amount has too many decimals" });
    expect(e).toBeInstanceOf(ApiError);
    expect([e.code, e.message]).toEqual(["invalid_input", "amount has too many decimals"]);
  });

  it("turn anything else thrown into an ipc error", () => {
    expect([toApiError(new TypeError("x is undefined")).code, toApiError("boom").message]).toEqual(["ipc", "boom"]);
  });

  it("reach attempt's handler normalised, and attempt tells whether the work finished", async () => {
    const seen: ApiError[] = [];
    const failed = await attempt(
      () => Promise.reject({ code: "bad_file", message: "not a CSV" }),
      (e) => seen.push(e),
    );
    const done = await attempt(async () => {}, (e) => seen.push(e));
    expect([failed, done]).toEqual([false, true]);
    expect(seen.map((e) => [e.code, e.message])).toEqual([["bad_file", "not a CSV"]]);
  });
});
