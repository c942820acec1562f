// The runner's file and log protocols, read back as GitHub reads them.

/** The `name<<delimiter … delimiter` format of GITHUB_OUTPUT and GITHUB_STATE. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  // Split on \n alone: a value's own \r is part of it, as the runner reads it back.
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match) continue
    const [, name, delimiter] = match
    const body: string[] = []
    while (++i < lines.length && lines[i] !== delimiter) body.push(lines[i] ?? '')
    values[name ?? ''] = body.join('\n')
  }
  return values
}

/** A workflow command's escaped message, as the runner shows it. */
export function decodeCommand(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

export type AnnotationLevel = 'error' | 'warning' | 'notice'

/** The messages of the `::error::`, `::warning::` or `::notice::` lines of a log, decoded. */
export function annotations(log: string, level: AnnotationLevel): string[] {
  return log
    .split('\n')
    .filter(line => line.startsWith(`::${level}`))
    .map(line => decodeCommand(line.slice(line.indexOf('::', 2) + 2)))
}
