// Types for scripts/modules.mjs, which is plain JavaScript.
export function moduleList(stats: { chunks?: unknown[]; modules?: unknown[] }): string
