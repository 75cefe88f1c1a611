import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'
import { extractSnippets, type SnippetModule, type SourceLine } from './snippets'

// The code blocks of the README and of every page in docs/ (pages added later included) are
// type-checked as an app would compile them, with `pushwire` and its subpaths resolved to src/.
const ROOT = join(__dirname, '..', '..')
// In the repository, not in the system temp dir: `react`, `ws`, `express` resolve from its node_modules.
const OUT = join(ROOT, '.doc-snippets')

const DOCS = ['README.md'].concat(
  readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
)

const COMPILER_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  module: 'ESNext',
  moduleResolution: 'Bundler',
  // Each block is a module of its own, with its own scope, and may use top-level await.
  moduleDetection: 'force',
  strict: true,
  jsx: 'react-jsx',
  types: ['node'],
  allowJs: true,
  checkJs: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  paths: {
    pushwire: ['./src/index.ts'],
    'pushwire/react': ['./src/react/index.ts'],
    'pushwire/vue': ['./src/vue/index.ts'],
    'pushwire/svelte': ['./src/svelte/index.ts'],
    'pushwire/server': ['./src/server/index.ts'],
  },
}

/** Problems found in each doc, as `file:line: message`. */
const problems = new Map<string, string[]>()

function where(origin: SourceLine | undefined, fallback: string): string {
  return origin ? `${origin.file}:${origin.line}` : fallback
}

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true })
  const written = new Map<string, SnippetModule>()
  for (const doc of DOCS) {
    problems.set(doc, [])
    let snippets
    try {
      snippets = extractSnippets(doc, readFileSync(join(ROOT, doc), 'utf8'))
    } catch (error) {
      problems.get(doc)?.push((error as Error).message)
      continue
    }
    const dir = join(OUT, doc.replace(/\.md$/, '').replace(/\//g, '__'))
    mkdirSync(dir, { recursive: true })
    for (const module of snippets.modules) {
      const path = join(dir, module.name)
      writeFileSync(path, module.code + '\n')
      written.set(path, module)
    }
  }

  const config = ts.parseJsonConfigFileContent({ compilerOptions: COMPILER_OPTIONS }, ts.sys, ROOT)
  const program = ts.createProgram([...written.keys()], config.options)
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    const path = diagnostic.file?.fileName
    const module = path === undefined ? undefined : written.get(path)
    if (!module || !diagnostic.file || diagnostic.start === undefined) {
      // A fault outside the snippets (in src/, or the options above) concerns every doc.
      const at = path ? relative(ROOT, path) : 'compiler options'
      problems.forEach((list) => list.push(`${at}: TS${diagnostic.code} ${text}`))
      continue
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    const origin = module.lines[line]
    problems.get(origin ? origin.file : DOCS[0])?.push(`${where(origin, module.name)}: TS${diagnostic.code} ${text}`)
  }
  // Left behind on failure, to read what the compiler saw.
  if ([...problems.values()].every((list) => !list.length)) rmSync(OUT, { recursive: true, force: true })
}, 120_000)

describe('code blocks in the README and docs/ type-check against src/', () => {
  it.each(DOCS)('%s', (doc) => {
    expect(problems.get(doc)).toEqual([])
  })
})
