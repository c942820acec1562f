import type { VpsClient } from '../api/client.ts'
import type { Backup, Snapshot } from '../api/types.ts'
import { explain } from '../errors.ts'
import { kindNamed, type KindName } from '../kinds.ts'
import type { SharedReads } from '../tools.ts'

type Item = Snapshot | Backup

/**
 * Several servers' lists of one kind, read together where that costs fewer requests: one read of
 * the whole list (every server's items) when it has fewer pages than there are servers, chosen by
 * the list's `count` on its first page and remembered. Used before the work (a fleet's limit
 * check, rotation, which item to restore) and by the poller's status checks, so that a fleet
 * costs about as many reads as one server.
 *
 * A shared read is never any server's failure: when it fails, or a page holds an item the API
 * should not have sent, it answers nothing, and each server reads its own list instead, whose
 * failure is that server's alone.
 */
export class SharedLists implements SharedReads {
  readonly #client: VpsClient
  readonly #say: (line: string) => void
  /** Pages of the whole list of each kind, as its `count` and page size said at the last look. */
  readonly #accountPages = new Map<KindName, number>()

  /** `say` is the step's own log, for a shared read that failed (no server's). */
  constructor(client: VpsClient, say: (line: string) => void) {
    this.#client = client
    this.#say = say
  }

  /**
   * Each server's items of `kind` from one read of the whole list, when that is cheaper than a
   * read per server and it succeeds; undefined otherwise, and each server then reads its own.
   */
  async whole(kind: KindName, serverIds: readonly number[]): Promise<Map<number, Item[]> | undefined> {
    if (serverIds.length < 2) return undefined
    const known = this.#accountPages.get(kind)
    if (known !== undefined && known >= serverIds.length) return undefined
    try {
      const items = await this.#readWhole(kind, serverIds.length, known === undefined)
      if (items === undefined) return undefined
      return new Map(serverIds.map(serverId => [serverId, items.filter(item => item.server.id === serverId)]))
    } catch (error) {
      this.#say(`The shared read of the ${kind} list failed (${explain(error)}); each server reads its own.`)
      return undefined
    }
  }

  /** The whole list, or undefined once its first page shows that a read per server is cheaper. */
  async #readWhole(kind: KindName, servers: number, firstLook: boolean): Promise<Item[] | undefined> {
    const pages = kindNamed(kind).pages(this.#client)
    const items: Item[] = []
    for await (const page of pages) {
      const first = items.length === 0
      items.push(...page.results)
      if (firstLook && first) {
        const total = !page.hasNext
          ? 1
          : page.count !== undefined && page.results.length > 0
            ? Math.ceil(page.count / page.results.length)
            : Infinity
        this.#accountPages.set(kind, total)
        if (total >= servers) {
          await pages.return(undefined)
          return undefined
        }
      }
    }
    return items
  }
}

/** One server's items of `kind`, read with its own client (whose retries its log shows). */
export function ownList(kind: KindName, serverId: number, client: VpsClient): Promise<Item[]> {
  return kindNamed(kind).list(client, serverId)
}
