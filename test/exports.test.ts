// Nothing of src/ is exported that the program does not import: each export of a file of src/ is
// imported by another file of src/ or scripts/, or is on the allow-list below, with the reason a
// test needs it. Tests use what the program uses.
import { readdirSync, readFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { ROOT } from './support/bundle.ts'
import { EVERY_NAME, importsOf } from './support/imports.ts'

/**
 * Exports that only tests import, each with why the test takes it rather than what the program uses: a table or a
 * pure rule, a unit of its own, that the program's own entry would make awkward to reach.
 */
const ALLOWED: ReadonlyArray<{ file: string; name: string; reason: string }> = [
  {
    file: 'src/outputs.ts',
    name: 'OUTPUT_NAMES',
    reason:
      "the outputs the type OutputName is made of, which the program reads only as that type: report.test.ts holds action.yml's outputs to the list"
  }
]

/** The files of a folder whose names end so, by their paths from the root: `src/api/client.ts`. */
function filesOf(folder: string, extensions: RegExp): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter(file => extensions.test(file))
    .map(file => `${folder}/${file.split(sep).join('/')}`)
    .sort()
}

const SRC = filesOf('src', /\.m?ts$/)
const PROGRAM = [...SRC, ...filesOf('scripts', /\.(m?ts|m?js)$/)]

/** The names a file exports by its own top-level statements: declarations, `export { … }`, `export default`. */
function exportsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true)
  const names = source.statements.flatMap(statement => {
    if (ts.isExportAssignment(statement)) return ['default']
    if (ts.isExportDeclaration(statement))
      return statement.exportClause && ts.isNamedExports(statement.exportClause)
        ? statement.exportClause.elements.map(element => element.name.text)
        : []
    const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : []
    if (!modifiers.some(modifier => modifier.kind === ts.SyntaxKind.ExportKeyword)) return []
    if (modifiers.some(modifier => modifier.kind === ts.SyntaxKind.DefaultKeyword)) return ['default']
    if (ts.isVariableStatement(statement))
      return statement.declarationList.declarations.flatMap(declaration => boundNames(declaration.name))
    return isNamedDeclaration(statement) && statement.name && ts.isIdentifier(statement.name)
      ? [statement.name.text]
      : []
  })
  return [...new Set(names)]
}

/** A declaration `export` gives its name to: a function, class, interface, type, enum or namespace. */
function isNamedDeclaration(statement: ts.Statement): statement is ts.DeclarationStatement {
  return (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isModuleDeclaration(statement)
  )
}

/** `a`, or the names of `[a, b]` and `{ a, b: c }`. */
function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text]
  return name.elements.flatMap(element => (ts.isOmittedExpression(element) ? [] : boundNames(element.name)))
}

/** Each import of a file of src/ by the program, with the file that makes it. */
const IMPORTS = PROGRAM.flatMap(importer =>
  importsOf(importer)
    .filter(({ file }) => file.startsWith('src/'))
    .map(imported => ({ importer, ...imported }))
)

/** The files of src/ and scripts/ other than `file` that import its export `name`. */
function importersOf(file: string, name: string): string[] {
  return IMPORTS.filter(
    imported => imported.file === file && imported.importer !== file && imported.names.includes(name)
  ).map(({ importer }) => importer)
}

const EXPORTS = SRC.flatMap(file => exportsOf(file).map(name => ({ file, name })))

describe('the exports of src/', () => {
  it('are each imported by another file of src/ or scripts/, or on the allow-list of this test', () => {
    const unused = EXPORTS.filter(
      ({ file, name }) =>
        importersOf(file, name).length === 0 && !ALLOWED.some(entry => entry.file === file && entry.name === name)
    )
    expect(
      unused.map(({ file, name }) => `${file} exports ${name}, which no other file of src/ or scripts/ imports`),
      'stop exporting these (a test reaches them through what the program uses), or put them on the allow-list of test/exports.test.ts with the reason'
    ).toEqual([])
  })

  it('are imported by name, so that one nobody uses shows', () => {
    expect(
      IMPORTS.filter(({ names }) => names.includes(EVERY_NAME)).map(
        ({ importer, file }) =>
          `${importer} takes every name of ${file} (import * as, export * from, or an import() not read by name)`
      ),
      'name what is imported: (await import(…)).name, or const { a, b } = await import(…)'
    ).toEqual([])
  })
})

describe('the allow-list of exports only tests import', () => {
  it('names only exports that are there, that no file of src/ or scripts/ imports, each with its reason', () => {
    const stale = ALLOWED.flatMap(({ file, name, reason }) => [
      ...(reason.trim() === '' ? [`${file}: ${name} gives no reason`] : []),
      ...(exportsOf(file).includes(name) ? [] : [`${file} no longer exports ${name}`]),
      ...importersOf(file, name).map(importer => `${file}: ${name} is imported by ${importer} now`)
    ])
    expect(stale, 'take these off the allow-list of test/exports.test.ts (or give the reason)').toEqual([])
  })
})
