// Reading request bodies and query strings the way a Django REST Framework API would,
// with its field-map error bodies: {"field": ["message"]}.
import { HttpError } from './reply.ts'

export type ParsedBody =
  { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'invalid'; text: string; error: string }

type JsonObject = Record<string, unknown>

const REQUIRED = 'This field is required.'
const NOT_AN_INTEGER = 'A valid integer is required.'
const NOT_A_STRING = 'Not a valid string.'
const QUERY_INTEGER = /^-?\d+$/

export function parseBody(text: string): ParsedBody {
  if (text.trim() === '') return { kind: 'empty' }
  try {
    return { kind: 'json', value: JSON.parse(text) }
  } catch (error) {
    return { kind: 'invalid', text, error: (error as Error).message }
  }
}

/** The body as an object; an empty body counts as `{}`, so missing fields are reported as such. */
export function objectBody(body: ParsedBody): JsonObject {
  if (body.kind === 'empty') return {}
  if (body.kind === 'invalid') throw new HttpError(400, { detail: `JSON parse error - ${body.error}` })
  if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
    throw new HttpError(400, { non_field_errors: ['Invalid data. Expected a dictionary.'] })
  }
  return body.value as JsonObject
}

/** Collects every field's problems, then answers them all at once. */
export class FieldErrors {
  private readonly errors: Record<string, string[]> = {}

  add(field: string, message: string): void {
    ;(this.errors[field] ??= []).push(message)
  }

  throwIfAny(): void {
    if (Object.keys(this.errors).length > 0) throw new HttpError(400, this.errors)
  }
}

export function requiredInteger(source: JsonObject, field: string, errors: FieldErrors): number {
  const value = source[field]
  if (value === undefined || value === null) errors.add(field, REQUIRED)
  else if (typeof value !== 'number' || !Number.isSafeInteger(value)) errors.add(field, NOT_AN_INTEGER)
  else return value
  return Number.NaN // never used: throwIfAny() answers first
}

export function optionalString(source: JsonObject, field: string, errors: FieldErrors): string | undefined {
  const value = source[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') errors.add(field, NOT_A_STRING)
  return typeof value === 'string' ? value : undefined
}

export function requiredMatching(
  source: JsonObject,
  field: string,
  pattern: RegExp,
  mismatch: string,
  errors: FieldErrors
): string {
  const value = source[field]
  if (value === undefined || value === null || value === '') errors.add(field, REQUIRED)
  else if (typeof value !== 'string') errors.add(field, NOT_A_STRING)
  else if (!pattern.test(value)) errors.add(field, mismatch)
  else return value
  return ''
}

export function queryInteger(query: URLSearchParams, field: string, errors: FieldErrors): number | undefined {
  const value = query.get(field)
  if (value === null || value === '') return undefined
  if (!QUERY_INTEGER.test(value)) errors.add(field, NOT_AN_INTEGER)
  return Number(value)
}

export function queryChoice<T extends string>(
  query: URLSearchParams,
  field: string,
  choices: readonly T[],
  errors: FieldErrors
): T | undefined {
  const value = query.get(field)
  if (value === null || value === '') return undefined
  if (choices.includes(value as T)) return value as T
  errors.add(field, `Select a valid choice. ${value} is not one of the available choices.`)
  return undefined
}
