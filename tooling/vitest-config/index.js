import { defineConfig } from "vitest/config";

// Storage tests do real fsyncs and spawn real processes: generous timeouts, and forks rather than
// threads so that a test that kills a child never shares a process with another test.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
