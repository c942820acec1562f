// What a file of the project takes from the others, read by the TypeScript parser as the runtime
// and the bundler read it: test/layers.test.ts follows the files, test/exports.test.ts the names.
import { readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import ts from 'typescript'
import { ROOT } from './bundle.ts'

/** What an import takes when it does not say which names: `import * as`, `export * from`, an `import()` used whole. */
export const EVERY_NAME = '*'

export interface Import {
  /** The file imported, by its path from the root: `src/api/client.ts`. */
  file: string
  /** The names it takes (`default` for a default import), or EVERY_NAME; none for an import run for its effect. */
  names: string[]
}

/**
 * The files a file imports (both by their paths from the root), by `import`, `import type`, `export … from` and
 * `import()`, on one line or several, with the names each takes; a package (`@actions/core`) is none of them. An
 * `import()` takes the names its result is destructured into or read by: `(await import('./x.ts')).run()`.
 */
export function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true)
  const found: Import[] = []
  const add = (specifier: ts.Expression | ts.TypeNode | undefined, names: string[]) => {
    const text = specifierText(specifier)
    if (text?.startsWith('.')) found.push({ file: posix.normalize(posix.join(posix.dirname(file), text)), names })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, importedNames(node.importClause))
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, reexportedNames(node))
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node.arguments[0], dynamicallyImportedNames(node))
    else if (ts.isImportTypeNode(node))
      add(node.argument, node.qualifier ? [leftmost(node.qualifier).text] : [EVERY_NAME])
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function specifierText(specifier: ts.Expression | ts.TypeNode | undefined): string | undefined {
  if (specifier && ts.isLiteralTypeNode(specifier)) return specifierText(specifier.literal)
  return specifier && ts.isStringLiteralLike(specifier) ? specifier.text : undefined
}

function importedNames(clause: ts.ImportClause | undefined): string[] {
  const bindings = clause?.namedBindings
  return [
    ...(clause?.name ? ['default'] : []),
    ...(bindings === undefined
      ? []
      : ts.isNamespaceImport(bindings)
        ? [EVERY_NAME]
        : bindings.elements.map(element => (element.propertyName ?? element.name).text))
  ]
}

function reexportedNames({ exportClause }: ts.ExportDeclaration): string[] {
  if (exportClause === undefined || ts.isNamespaceExport(exportClause)) return [EVERY_NAME]
  return exportClause.elements.map(element => (element.propertyName ?? element.name).text)
}

/** `(await import('./x.ts')).name` or `const { a, b } = await import('./x.ts')`; any other use takes every name. */
function dynamicallyImportedNames(call: ts.CallExpression): string[] {
  let result: ts.Node = call
  while (ts.isAwaitExpression(result.parent) || ts.isParenthesizedExpression(result.parent)) result = result.parent
  const use = result.parent
  if (ts.isPropertyAccessExpression(use) && use.expression === result) return [use.name.text]
  if (ts.isVariableDeclaration(use) && use.initializer === result && ts.isObjectBindingPattern(use.name)) {
    const { elements } = use.name
    if (elements.every(element => !element.dotDotDotToken && ts.isIdentifier(element.propertyName ?? element.name)))
      return elements.map(element => ((element.propertyName ?? element.name) as ts.Identifier).text)
  }
  return [EVERY_NAME]
}

function leftmost(name: ts.EntityName): ts.Identifier {
  return ts.isIdentifier(name) ? name : leftmost(name.left)
}
