import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/tableEquality.ts"],
    // Store and server tests spawn processes and write files; one worker per core is enough.
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
