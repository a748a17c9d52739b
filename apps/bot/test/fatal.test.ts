import { SimulatedDisk } from "@store/testkit";
import { expect, it } from "vitest";
import { startTestApp, text } from "./helpers.js";

it("a failed fdatasync (STORE_FAILED) answers a polite stop, then stops the bot with exit code 1", async () => {
  const disk = new SimulatedDisk();
  const stopped: number[] = [];
  const bot = await startTestApp("/sim/data", { BOT_LEGACY_DIR: "/nonexistent/legacy" }, { fs: disk.fs, onStopped: (code) => stopped.push(code) });
  expect((await bot.run("alice", "/daily")).ephemeral).toBe(false);
  disk.injectFault({ operation: "sync", nth: 1, kind: "EIO", pathIncludes: "/sim/data/log" });
  const failed = await bot.run("bob", "/daily");
  expect(failed.ephemeral).toBe(true);
  expect(text(failed)).toContain("storage failed and the bot is stopping");
  expect(text(failed)).not.toContain("fdatasync");
  await bot.app.stop(); // joins the stop the failure started
  expect(stopped).toEqual([1]);
  expect(text(await bot.run("carol", "/balance"))).toContain("shutting down");
});
