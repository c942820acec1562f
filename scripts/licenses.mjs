// dist/licenses.txt: the licence of every package bundled into dist/, whatever the chunking.
// The packages are read from the build itself: the modules of webpack's stats (ncc's
// `--stats-out`) that ended up in an emitted chunk, each mapped to the package directory it
// comes from. Each package's notice is its licence files (LICENSE, LICENCE, COPYING, NOTICE, with
// any extension) as shipped, or, when it ships none, the `license` field of its package.json.
// Plain JavaScript, like the build script that calls it.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Separates the notices in dist/licenses.txt; test/licenses.test.ts splits the file on it. */
export const SEPARATOR = '='.repeat(80)

const LICENSE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i
// The directory of a package: everything up to the last node_modules/<name> or node_modules/@scope/<name>.
const PACKAGE_DIR = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)/

/**
 * The package directories of every module bundled into a chunk, from webpack stats JSON. A
 * concatenated module lists the modules it holds under `modules`.
 * @param {{ modules?: Array<{ chunks?: unknown[], nameForCondition?: string, modules?: unknown[] }> }} stats
 * @returns {string[]} sorted, without duplicates
 */
export function bundledPackageDirs(stats) {
  const dirs = new Set()
  const visit = modules => {
    for (const module of modules ?? []) {
      const dir = PACKAGE_DIR.exec(module.nameForCondition ?? '')?.[1]
      if (dir) dirs.add(dir)
      visit(module.modules)
    }
  }
  visit((stats.modules ?? []).filter(module => (module.chunks ?? []).length > 0))
  return [...dirs].sort()
}

/**
 * @typedef {{ name: string, version: string, license: string, files: Array<{ name: string, text: string }> }} Notice
 */

/**
 * One package's notice, read from its directory.
 * @param {string} dir
 * @returns {Notice}
 */
export function readNotice(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const license = licenseField(manifest)
  const files = readdirSync(dir)
    .filter(name => LICENSE_FILE.test(name))
    .sort()
    .map(name => ({ name, text: readFileSync(join(dir, name), 'utf8').trim() }))
  if (!manifest.name || !manifest.version) throw new Error(`${dir}/package.json has no name or version`)
  if (files.length === 0 && !license) {
    throw new Error(
      `${manifest.name}@${manifest.version} (${dir}) has no licence file and no license field: its licence is unknown`
    )
  }
  return { name: manifest.name, version: manifest.version, license: license ?? 'not stated in package.json', files }
}

/** The `license` field, or the old `licenses` array, as one SPDX-like string. */
function licenseField(manifest) {
  const { license, licenses } = manifest
  if (typeof license === 'string' && license.trim()) return license.trim()
  if (license && typeof license.type === 'string') return license.type
  if (Array.isArray(licenses) && licenses.length > 0) {
    return licenses.map(entry => (typeof entry === 'string' ? entry : entry.type)).join(' OR ')
  }
  return undefined
}

/**
 * The text of dist/licenses.txt: one notice per package and version, ordered by name then
 * version, so that a rebuild writes the same file.
 * @param {Notice[]} notices
 * @returns {string}
 */
export function renderLicenses(notices) {
  const unique = new Map(notices.map(notice => [`${notice.name}@${notice.version}`, notice]))
  const ordered = [...unique.values()].sort((a, b) => compare(a.name, b.name) || compare(a.version, b.version))
  const sections = ordered.map(({ name, version, license, files }) => {
    const body =
      files.length > 0
        ? files.map(file => `${file.name}:\n\n${file.text}`).join('\n\n')
        : `${name} ships no licence file; its package.json says: ${license}`
    return `${SEPARATOR}\n${name}@${version}\nLicense: ${license}\n\n${body}\n`
  })
  const intro = 'The packages bundled into this directory, each with its licence as the package ships it.\n'
  return [intro, ...sections].join('\n')
}

const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0)
