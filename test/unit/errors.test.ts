// The API's own words from any error body, and the one line a failed step prints.
import { describe, expect, it } from 'vitest'
import { ApiError, apiMessageOf, NetworkError } from '../../src/api/errors.ts'
import { describeFailure, InputError, isExpected, OperationError } from '../../src/errors.ts'

const JSON_TYPE = 'application/json'
const HTML_TYPE = 'text/html; charset=utf-8'

const NGINX_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.25.3</center>
</body>
</html>`

describe('apiMessageOf, from a JSON error body', () => {
  it.each([
    {
      shape: '{detail}',
      body: { detail: 'Authentication credentials were not provided.' },
      message: 'Authentication credentials were not provided.'
    },
    {
      shape: '{message}',
      body: { message: 'Snapshot limit reached (5 per server).' },
      message: 'Snapshot limit reached (5 per server).'
    },
    { shape: '{error}', body: { error: 'Server not found' }, message: 'Server not found' },
    { shape: 'a JSON string', body: 'Server is busy, try again later', message: 'Server is busy, try again later' },
    {
      shape: '{detail} with other keys beside it',
      body: { detail: 'Not found.', code: 'not_found' },
      message: 'Not found.'
    }
  ])('takes the message of $shape as it is', ({ body, message }) => {
    expect(apiMessageOf(JSON.stringify(body), JSON_TYPE)).toBe(message)
  })

  it.each([
    {
      shape: '{non_field_errors: [...]}',
      body: { non_field_errors: ['Snapshot limit reached for this server.', 'Delete one first.'] },
      parts: ['Snapshot limit reached for this server.', 'Delete one first.']
    },
    {
      shape: 'a map of field to messages',
      body: { name: ['a', 'b'], server_id: ['c'] },
      parts: ['name', 'a', 'b', 'server_id', 'c']
    },
    {
      shape: 'a field map nested in another key',
      body: { errors: { name: ['Only letters, digits, - and _ are allowed.'] } },
      parts: ['name', 'Only letters, digits, - and _ are allowed.']
    },
    {
      shape: 'a {detail} object carrying its own message',
      body: { detail: { code: 'limit_reached', message: 'At most 5 snapshots per server.' } },
      parts: ['At most 5 snapshots per server.']
    },
    {
      shape: 'a list of strings',
      body: ['first problem', 'second problem'],
      parts: ['first problem', 'second problem']
    }
  ])('gathers every message of $shape', ({ body, parts }) => {
    const message = apiMessageOf(JSON.stringify(body), JSON_TYPE)
    for (const part of parts) expect(message).toContain(part)
  })

  it('keeps each field beside its own messages', () => {
    const message = apiMessageOf(JSON.stringify({ name: ['a', 'b'], server_id: ['c'] }), JSON_TYPE)
    expect(message).toMatch(/name\W+a\W+b/)
    expect(message).toMatch(/server_id\W+c/)
  })

  it('quotes a truncated JSON body rather than failing', () => {
    const message = apiMessageOf('{"detail": "Snapshot limit rea', JSON_TYPE)
    expect(message).toMatch(/not JSON/i)
    expect(message).toContain('Snapshot limit rea')
  })

  it.each([{ body: '{}' }, { body: '{"detail": ""}' }, { body: '[]' }])(
    'does not call the valid JSON body $body "not JSON"',
    ({ body }) => {
      const message = apiMessageOf(body, JSON_TYPE)
      expect(message).not.toMatch(/not JSON/i)
      expect(message.length).toBeGreaterThan(0)
    }
  )
})

describe('apiMessageOf, from a body that is not JSON', () => {
  it('gives a short excerpt of a proxy’s HTML page, tags stripped', () => {
    const message = apiMessageOf(NGINX_502, HTML_TYPE)
    expect(message).toContain('502 Bad Gateway')
    expect(message).toContain('text/html')
    expect(message).not.toMatch(/[<>]/)
    expect(message).not.toMatch(/\n/)
  })

  it('bounds the excerpt of a long page and leaves scripts and styles out', () => {
    const page = `<html><head><style>body { color: red }</style><script>var secret = "tracking-code"</script></head>
      <body><h1>503 Service Unavailable</h1><p>${'The server is temporarily unable to service your request. '.repeat(200)}</p></body></html>`
    const message = apiMessageOf(page, 'text/html')
    expect(message).toContain('503 Service Unavailable')
    expect(message).not.toContain('tracking-code')
    expect(message).not.toContain('color: red')
    expect(message.length).toBeLessThan(250)
  })

  it.each([
    { case: 'with a content type', contentType: 'text/html' },
    { case: 'without a content type', contentType: undefined }
  ])('says an empty body is empty ($case)', ({ contentType }) => {
    expect(apiMessageOf('', contentType)).toMatch(/empty/)
    expect(apiMessageOf('   \n', contentType)).toMatch(/empty/)
  })

  it('quotes plain text', () => {
    expect(apiMessageOf('upstream connect error or disconnect/reset before headers', 'text/plain')).toContain(
      'upstream connect error'
    )
  })
})

describe('describeFailure', () => {
  const OPERATION = 'create-snapshot'

  it('names the operation, the HTTP status, the endpoint and the API’s message, on one line', () => {
    const error = new ApiError(
      400,
      'POST /snapshots/',
      apiMessageOf(JSON.stringify({ detail: 'Snapshot limit reached.' }), JSON_TYPE)
    )
    const line = describeFailure(OPERATION, error)
    expect(line).toContain(OPERATION)
    expect(line).toContain('400')
    expect(line).toContain('POST /snapshots/')
    expect(line).toContain('Snapshot limit reached.')
    expect(line).not.toMatch(/[\r\n]/)
  })

  it.each([
    { kind: 'an HTML 502', status: 502, body: NGINX_502, contentType: HTML_TYPE, words: ['502', 'Bad Gateway'] },
    {
      kind: 'a field map',
      status: 400,
      body: JSON.stringify({ name: ['Invalid name.'] }),
      contentType: JSON_TYPE,
      words: ['400', 'name', 'Invalid name.']
    }
  ])('gives one line for $kind', ({ status, body, contentType, words }) => {
    const line = describeFailure(OPERATION, new ApiError(status, 'POST /snapshots/', apiMessageOf(body, contentType)))
    for (const word of words) expect(line).toContain(word)
    expect(line).not.toMatch(/[\r\n]/)
  })

  it.each([
    { body: { detail: 'Snapshot limit reached.\nDelete one first.' } },
    { body: { name: ['Invalid name.\r\n::warning::not from the action'] } }
  ])('keeps an API message with a line break on one line ($body)', ({ body }) => {
    const line = describeFailure(
      OPERATION,
      new ApiError(400, 'POST /snapshots/', apiMessageOf(JSON.stringify(body), JSON_TYPE))
    )
    expect(line).not.toMatch(/[\r\n]/)
  })

  it.each([
    {
      kind: 'InputError',
      error: new InputError('server_id', 'must be a positive integer; got "abc"'),
      words: ['server_id', 'abc']
    },
    {
      kind: 'OperationError',
      error: new OperationError('snapshot 801 ended with status "failed"'),
      words: ['snapshot 801', 'failed']
    },
    {
      kind: 'NetworkError',
      error: new NetworkError('GET /snapshots/?server_id=1', 'ECONNRESET', { code: 'ECONNRESET' }),
      words: ['GET /snapshots/?server_id=1', 'ECONNRESET']
    },
    {
      kind: 'Error',
      error: new TypeError('cannot read properties of undefined'),
      words: ['cannot read properties of undefined']
    },
    { kind: 'thrown string', error: 'something odd happened', words: ['something odd happened'] },
    { kind: 'thrown undefined', error: undefined, words: [] },
    { kind: 'thrown null', error: null, words: [] },
    { kind: 'thrown number', error: 42, words: ['42'] }
  ])('still says what failed for a $kind', ({ error, words }) => {
    const line = describeFailure(OPERATION, error)
    expect(line).toMatch(new RegExp(`^${OPERATION} failed`))
    for (const word of words) expect(line).toContain(word)
    expect(line).not.toMatch(/[\r\n]/)
  })
})

describe('isExpected: an expected failure prints no stack trace', () => {
  it.each([
    { kind: 'ApiError', error: new ApiError(404, 'DELETE /snapshots/9/', 'Not found.'), expected: true },
    { kind: 'InputError', error: new InputError('keep', 'must be a whole number'), expected: true },
    { kind: 'OperationError', error: new OperationError('timed out'), expected: true },
    {
      kind: 'NetworkError',
      error: new NetworkError('GET /backups/', 'ECONNREFUSED', { code: 'ECONNREFUSED' }),
      expected: true
    },
    { kind: 'TypeError', error: new TypeError('x is not a function'), expected: false },
    { kind: 'string', error: 'boom', expected: false },
    { kind: 'undefined', error: undefined, expected: false }
  ])('$kind → $expected', ({ error, expected }) => {
    expect(isExpected(error)).toBe(expected)
  })
})

describe('ApiError', () => {
  it('keeps the status, the endpoint and the API’s message apart', () => {
    const error = new ApiError(404, 'POST /snapshots/801/restore/', 'Not found.')
    expect(error).toMatchObject({
      status: 404,
      endpoint: 'POST /snapshots/801/restore/',
      apiMessage: 'Not found.',
      name: 'ApiError'
    })
    expect(error).toBeInstanceOf(Error)
  })
})
