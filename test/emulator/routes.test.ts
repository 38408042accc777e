/** The emulator's routing (`emulator/routes.ts`): which route a method and path are, and how ids are decoded. */
import { describe, expect, it } from "vitest";
import { decodeModelId, matchRoute } from "../../emulator/routes.ts";
import { emulator } from "../helpers/emulator.ts";

describe("emulator routing", () => {
  it("reads each route from method and path", () => {
    expect(matchRoute("POST", "/v1/models/community/wan-2-2/vace-fun")).toEqual({
      route: "submit",
      modelId: "community/wan-2-2/vace-fun",
    });
    expect(matchRoute("GET", "/v1/models/community/wan-2-2/vace-fun")).toEqual({
      route: "catalog",
      modelId: "community/wan-2-2/vace-fun",
    });
    expect(matchRoute("GET", "/v1/models")).toEqual({ route: "catalog" });
    expect(matchRoute("GET", "/v1/requests/job-1/status")).toEqual({ route: "status", requestId: "job-1" });
    expect(matchRoute("GET", "/v1/requests/job-1/result")).toEqual({ route: "result", requestId: "job-1" });
    expect(matchRoute("POST", "/v1/requests/job-1/cancel")).toEqual({ route: "cancel", requestId: "job-1" });
    expect(matchRoute("GET", "/files/out.png")).toEqual({ route: "files" });
  });

  it("matches no route for a wrong method or an unknown path", () => {
    expect(matchRoute("POST", "/v1/requests/job-1/status")).toBeUndefined();
    expect(matchRoute("GET", "/v1/requests/job-1/cancel")).toBeUndefined();
    expect(matchRoute("DELETE", "/v1/models/acme/model")).toBeUndefined();
    expect(matchRoute("POST", "/v1/models")).toBeUndefined();
    expect(matchRoute("GET", "/v1/requests/job-1")).toBeUndefined();
    expect(matchRoute("GET", "/v2/models")).toBeUndefined();
  });

  it("decodes a request id and each segment of a model id the same way, keeping malformed escapes as sent", () => {
    expect(decodeModelId("minimax/Hailuo%20Video%2001%20Live")).toBe("minimax/Hailuo Video 01 Live");
    expect(decodeModelId("acme/100%25/x%zz")).toBe("acme/100%/x%zz");
    expect(matchRoute("GET", "/v1/requests/job%201/status")).toEqual({ route: "status", requestId: "job 1" });
    expect(matchRoute("GET", "/v1/requests/job%zz/result")).toEqual({ route: "result", requestId: "job%zz" });
    expect(matchRoute("POST", "/v1/models/acme/x%zz")).toEqual({ route: "submit", modelId: "acme/x%zz" });
  });

  it("answers a malformed request id with 404, as it answers a malformed model id", async () => {
    const emu = await emulator();
    const headers = { authorization: `Bearer ${emu.token}` };
    const status = await fetch(`${emu.url}/v1/requests/job%zz/status`, { headers });
    expect(status.status).toBe(404);
    expect(await status.text()).toContain("job%zz");
    const model = await fetch(`${emu.url}/v1/models/acme/x%zz`, { headers });
    expect(model.status).toBe(404);
  });
});
