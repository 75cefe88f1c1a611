import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = join(__dirname, '..', '..', 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|tsx|svelte)$/.test(name) ? [path] : []
  })
}

function imports(file: string): Array<{ specifier: string; typeOnly: boolean }> {
  const text = readFileSync(file, 'utf8')
  const found: Array<{ specifier: string; typeOnly: boolean }> = []
  const pattern = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    found.push({ specifier: match[3] ?? match[4], typeOnly: !!match[2] })
  }
  return found
}

describe('pushwire/server stays apart from browser code', () => {
  const files = sourceFiles(SRC)
  const serverDir = join(SRC, 'server')

  it('no browser module imports the server', () => {
    const offenders = files
      .filter((file) => !file.startsWith(serverDir))
      .filter((file) => imports(file).some(({ specifier }) => /(^|\/)server(\/|$)/.test(specifier)))
      .map((file) => relative(SRC, file))
    expect(offenders).toEqual([])
  })

  it('the server imports only its own modules, node: built-ins, types of ws and the shared constants', () => {
    const serverFiles = files.filter((file) => file.startsWith(serverDir))
    expect(serverFiles.length).toBeGreaterThan(5)
    const ownModule = (file: string, specifier: string) =>
      specifier.startsWith('.') && resolve(dirname(file), specifier).startsWith(serverDir + '/')
    const isConstants = (file: string, specifier: string) => specifier.startsWith('.') && resolve(dirname(file), specifier) === join(SRC, 'constants')
    const outside = serverFiles.flatMap((file) =>
      imports(file)
        .filter(
          ({ specifier, typeOnly }) =>
            !(ownModule(file, specifier) || specifier.startsWith('node:') || isConstants(file, specifier) || (specifier === 'ws' && typeOnly)),
        )
        .map(({ specifier }) => `${relative(SRC, file)} → ${specifier}`),
    )
    expect(outside).toEqual([])
  })

  it('the constants both sides share import nothing', () => {
    expect(imports(join(SRC, 'constants.ts'))).toEqual([])
  })
})
