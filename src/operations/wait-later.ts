import type { Backup, Snapshot } from '../api/types.ts'
import type { CommonSettings } from '../inputs.ts'
import { capitalise } from './create.ts'
import type { Kind } from './kinds.ts'
import type { Tools } from './tools.ts'
import { waitForItem } from './wait.ts'

type WaitLater = CommonSettings & { id: number; serverId: number }

/** For a job started earlier with `wait: false`: it may be done already, so look at once. */
export async function waitLater<T extends Snapshot | Backup>(kind: Kind<T>, settings: WaitLater, tools: Tools): Promise<void> {
  const done = await waitForItem(kind, settings.id, settings.serverId, settings, tools, { checkFirst: true })
  tools.outcome.say(`${capitalise(kind.label(done))} is ${done.status}.`)
}
