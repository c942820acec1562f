/** `42 s`, `3 min 5 s`, `1 h 2 min`: how long something took, for logs and the summary. */
export function formatDuration(ms: number): string {
  // Whole seconds are cut, not rounded: 59.6 s waited is "59 s", never "1 min 0 s".
  const seconds = Math.floor(ms / 1000)
  if (seconds < 60) return `${ms < 10_000 ? (ms / 1000).toFixed(1) : seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/**
 * Text that came from the API, made safe to log: one line, no control characters. Every log
 * line starts with the action's own words, so API text folded onto it can never begin a line
 * and so never start a workflow command (`::…`).
 */
export function plain(text: unknown): string {
  return (
    String(text)
      // Control characters are what must go: they could end the line and start a command.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .trim()
  )
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
