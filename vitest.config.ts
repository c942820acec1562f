import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests start the bundled action as a child process and mostly wait on it, so
    // more files and tests run at once than there are cores.
    maxWorkers: 4,
    maxConcurrency: 10,
    // The test files share their workers' module cache instead of loading every module again for
    // each file: a third of the suite's time. They leave no state behind (stubbed variables,
    // spies and emulators are undone after each test).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
