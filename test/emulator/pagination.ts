// Page-number pagination as Django REST Framework does it: {count, next, previous, results}.
import { HttpError } from './reply.ts'

export interface Page<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

const PAGE_PARAMETER = 'page'
const PAGE_NUMBER = /^\d+$/

/** One page of `items`; `requestUrl` is the full URL asked for, whose other parameters the links keep. */
export function paginate<T>(items: T[], requestUrl: URL, pageSize: number): Page<T> {
  const pageCount = Math.max(1, Math.ceil(items.length / pageSize))
  const page = pageNumber(requestUrl, pageCount)
  return {
    count: items.length,
    next: page < pageCount ? pageLink(requestUrl, page + 1) : null,
    previous: page > 1 ? pageLink(requestUrl, page - 1) : null,
    results: items.slice((page - 1) * pageSize, page * pageSize)
  }
}

function pageNumber(requestUrl: URL, pageCount: number): number {
  const raw = requestUrl.searchParams.get(PAGE_PARAMETER)
  if (raw === null) return 1
  const page = PAGE_NUMBER.test(raw) ? Number(raw) : 0
  if (page < 1 || page > pageCount) throw new HttpError(404, { detail: 'Invalid page.' })
  return page
}

function pageLink(requestUrl: URL, page: number): string {
  const link = new URL(requestUrl)
  // Like DRF, the first page's link carries no page number.
  if (page === 1) link.searchParams.delete(PAGE_PARAMETER)
  else link.searchParams.set(PAGE_PARAMETER, String(page))
  return link.toString()
}
