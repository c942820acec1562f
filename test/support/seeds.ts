// What a real account already has, shared by the demo, `npm run local` and the emulator's CLI:
// items made by hand or by the provider, none by the action (no `gha-` prefix).
import type { Emulator } from '../emulator/server.ts'

const DAY_MS = 24 * 60 * 60 * 1000

export const DEMO_SERVER_ID = 12345

export function daysAgo(days: number, now = Date.now()): string {
  return new Date(now - days * DAY_MS).toISOString()
}

export function seedAccount(emulator: Emulator, serverId = DEMO_SERVER_ID): void {
  emulator.addSnapshot({
    serverId,
    name: 'pre-migration-snapshot',
    createdAt: daysAgo(9),
    description: 'Before major migration'
  })
  emulator.addSnapshot({
    serverId,
    name: 'before-update-snapshot',
    createdAt: daysAgo(2),
    description: 'Snapshot before system update'
  })
  emulator.addBackup({ serverId, backupType: 'automatic', createdAt: daysAgo(1) })
}
