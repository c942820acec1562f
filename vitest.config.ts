import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests start the bundled action as a child process and mostly wait on it, so
    // more files and tests run at once than there are cores.
    maxWorkers: 4,
    maxConcurrency: 10,
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
