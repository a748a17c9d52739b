import { defineConfig } from "vitest/config";

// Storage tests do real fsyncs and spawn real processes: forks rather than threads so that a test
// that kills a child never shares a process with another test. The timeouts only catch a hang: CI
// runs every package's tests at once on 2 cores, where a crash test that takes 20 s alone took over
// 60 s, so no test may depend on finishing within a minute.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    pool: "forks",
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
