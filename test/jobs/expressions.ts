// `${{ … }}` as GitHub evaluates it, with GitHub's own lexer, parser and evaluator
// (@actions/expressions). Only the status functions are the caller's: what success() means
// depends on where the expression stands (a step's job so far, a job's needs).
import { Evaluator, Lexer, Parser, data } from '@actions/expressions'
import { TokenType } from '@actions/expressions/lexer'
import { truthy } from '@actions/expressions/result'

/** Plain values to read as contexts (`vars`, `steps`, …); anything JSON can hold. */
export type Contexts = Record<string, unknown>

/** What the status functions answer where the expression is evaluated. */
export interface Status {
  success: boolean
  failure: boolean
  cancelled: boolean
}

export interface Scope {
  contexts: Contexts
  status: Status
}

/** Every context a workflow may name; the parser refuses any other. */
const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'secrets',
  'inputs',
  'steps',
  'needs',
  'job',
  'runner',
  'strategy',
  'matrix'
]
const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'] as const
const TEMPLATE = /\$\{\{([\s\S]*?)\}\}/g
const WHOLE_TEMPLATE = /^\s*\$\{\{([\s\S]*)\}\}\s*$/

export class ExpressionError extends Error {
  override name = 'ExpressionError'
}

function tokens(source: string) {
  return new Lexer(source).lex().tokens
}

function statusFunctions(status: Status) {
  const answers: Record<(typeof STATUS_FUNCTIONS)[number], boolean> = { ...status, always: true }
  return new Map(
    STATUS_FUNCTIONS.map(name => [
      name,
      { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(answers[name]) }
    ])
  )
}

/** Evaluates one expression (without its `${{ }}`) to GitHub's data. */
export function evaluate(source: string, scope: Scope): data.ExpressionData {
  try {
    const parsed = new Parser(
      tokens(source),
      CONTEXT_NAMES,
      STATUS_FUNCTIONS.map(name => ({ name, minArgs: 0, maxArgs: 0 }))
    ).parse()
    const contexts = JSON.parse(JSON.stringify(scope.contexts), data.reviver) as data.Dictionary
    return new Evaluator(parsed, contexts, statusFunctions(scope.status)).evaluate()
  } catch (error) {
    throw new ExpressionError(`cannot evaluate \${{ ${source.trim()} }}: ${(error as Error).message}`)
  }
}

/** A value as the runner turns it into text for an input, a command or an output. */
export function asText(value: data.ExpressionData): string {
  return value.primitive ? value.coerceString() : JSON.stringify(value, data.replacer)
}

/** A string with `${{ }}` parts, each replaced by its value as text. */
export function interpolate(text: string, scope: Scope): string {
  return text.replace(TEMPLATE, (_whole, source: string) => asText(evaluate(source, scope)))
}

/** Whether the expression calls success(), failure(), cancelled() or always(). */
export function callsStatusFunction(source: string): boolean {
  const list = tokens(source)
  return list.some(
    (token, index) =>
      token.type === TokenType.IDENTIFIER &&
      (STATUS_FUNCTIONS as readonly string[]).includes(token.lexeme.toLowerCase()) &&
      list[index + 1]?.type === TokenType.LEFT_PAREN
  )
}

/**
 * An `if:` as the runner reads it: with or without `${{ }}`, and `success() && (…)` when it
 * calls no status function itself; no `if:` at all is `success()`.
 */
export function condition(value: string | boolean | undefined, scope: Scope): boolean {
  if (value === undefined) return scope.status.success
  if (typeof value === 'boolean') return value && scope.status.success
  const whole = WHOLE_TEMPLATE.exec(value)
  const source = whole ? (whole[1] ?? '') : value
  if (!whole && value.includes('${{'))
    throw new ExpressionError(`an if: that mixes text and \${{ }} is not simulated: ${value}`)
  const guarded = callsStatusFunction(source) ? source : `success() && (${source})`
  return truthy(evaluate(guarded, scope))
}
