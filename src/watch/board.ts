import type { VpsClient } from '../api/client.ts'
import type { Backup, Snapshot } from '../api/types.ts'
import { kindNamed, type KindName } from '../kinds.ts'

type Item = Snapshot | Backup

interface Waiting {
  kind: KindName
  serverId: number
  resolve: (items: Item[]) => void
  reject: (error: unknown) => void
}

interface Tick {
  expected: number
  arrived: Waiting[]
}

/**
 * The status checks of snapshots and backups, shared by every server of the step that waits
 * at the same tick (`ticks.ts`): the servers due at a tick are read together, with one read of
 * the whole list when that takes fewer requests than one read per server, chosen by the list's
 * `count`. So a fleet costs about as many status requests as one server. A wait announces the
 * tick it will check at before it sleeps (`expect`); the reads start once every server
 * announced for that tick has asked (`items`).
 */
export class StatusBoard {
  readonly #client: VpsClient
  readonly #ticks = new Map<number, Tick>()
  /** Pages of the whole list of each kind, as its `count` and page size said at the last look. */
  readonly #accountPages = new Map<KindName, number>()

  constructor(client: VpsClient) {
    this.#client = client
  }

  /** A server's wait will check at `tick`. */
  expect(tick: number): void {
    this.#tick(tick).expected++
  }

  /** The server's items of `kind`, as read at `tick` for every server due then. */
  items(tick: number, kind: KindName, serverId: number): Promise<Item[]> {
    const due = this.#tick(tick)
    return new Promise((resolve, reject) => {
      due.arrived.push({ kind, serverId, resolve, reject })
      if (due.arrived.length >= due.expected) {
        this.#ticks.delete(tick)
        void this.#read(due.arrived)
      }
    })
  }

  #tick(tick: number): Tick {
    let due = this.#ticks.get(tick)
    if (!due) {
      due = { expected: 0, arrived: [] }
      this.#ticks.set(tick, due)
    }
    return due
  }

  async #read(waiting: Waiting[]): Promise<void> {
    for (const kind of new Set(waiting.map(wait => wait.kind))) {
      const ofKind = waiting.filter(wait => wait.kind === kind)
      const servers = [...new Set(ofKind.map(wait => wait.serverId))]
      try {
        const byServer = servers.length === 1 ? new Map([[servers[0] ?? 0, await this.#serverList(kind, servers[0])]]) : await this.#readFleet(kind, servers)
        for (const wait of ofKind) wait.resolve(byServer.get(wait.serverId) ?? [])
      } catch (error) {
        for (const wait of ofKind) wait.reject(error)
      }
    }
  }

  /** One read of the whole list when it has fewer pages than there are servers to read, else a read per server. */
  async #readFleet(kind: KindName, servers: number[]): Promise<Map<number, Item[]>> {
    const known = this.#accountPages.get(kind)
    if (known !== undefined && known >= servers.length) return this.#perServer(kind, servers)
    const pages = kindNamed(kind).pages(this.#client)
    const items: Item[] = []
    for await (const page of pages) {
      items.push(...page.results)
      if (known === undefined && items.length === page.results.length) {
        // The first page says how long the whole list is: worth reading to the end only if shorter than a read per server.
        const total =
          page.hasNext && page.count !== undefined && page.results.length > 0 ? Math.ceil(page.count / page.results.length) : page.hasNext ? Infinity : 1
        this.#accountPages.set(kind, total)
        if (total >= servers.length) {
          await pages.return(undefined)
          return this.#perServer(kind, servers)
        }
      }
    }
    return new Map(servers.map(server => [server, items.filter(item => item.server.id === server)]))
  }

  async #perServer(kind: KindName, servers: number[]): Promise<Map<number, Item[]>> {
    return new Map(await Promise.all(servers.map(async server => [server, await this.#serverList(kind, server)] as const)))
  }

  #serverList(kind: KindName, serverId: number | undefined): Promise<Item[]> {
    return kindNamed(kind).list(this.#client, serverId)
  }
}
