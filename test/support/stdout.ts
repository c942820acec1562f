import { vi } from 'vitest'

/**
 * What the code under test writes to stdout (where @actions/core writes), kept from the test's own
 * output: as written, or as its lines, the empty ones left out. Undone by `restore`, or by
 * `vi.restoreAllMocks()`.
 */
export function captureStdout(): { text: () => string; lines: () => string[]; restore: () => void } {
  const chunks: string[] = []
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    chunks.push(String(chunk))
    return true
  })
  const text = () => chunks.join('')
  return {
    text,
    lines: () =>
      text()
        .split(/\r?\n/)
        .filter(line => line !== ''),
    restore: () => spy.mockRestore()
  }
}
