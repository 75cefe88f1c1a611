import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// What a new user copies first has to work together: checks across pages that the compiler
// cannot make (docs-typecheck.test.ts compiles each block on its own).
const ROOT = join(__dirname, '..', '..')
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8')
const PAGES = ['README.md'].concat(
  readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
)

/** The code blocks of a page, whatever their language. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^\s*```[^\n]*\n([\s\S]*?)^\s*```\s*$/gm)].map((match) => match[1])
}

/** Event types the code listens to by name (`.on('dish', …)`), reserved ones and `'*'` left out. */
function listenedTypes(code: string): string[] {
  return [...code.matchAll(/\.on\('([^']+)'/g)].map((match) => match[1]).filter((type) => type !== '*' && !type.startsWith('pushwire:'))
}

/** Event types the code publishes (`publish({ event: 'dish', … })`); `'message'` for none. */
function publishedTypes(code: string): string[] {
  return [...code.matchAll(/publish\(\{ (?:event: '([^']+)')?/g)].map((match) => match[1] || 'message')
}

describe('the first hour', () => {
  it("the README's client listens to the event type that its server and server.md's publish", () => {
    const readme = codeBlocks(read('README.md')).join('\n')
    const serverSetup = codeBlocks(read('docs/server.md')).find((code) => code.indexOf('publish(') !== -1) as string
    const listened = new Set(listenedTypes(readme))
    expect(listened.size).toBeGreaterThan(0)
    expect(publishedTypes(readme).filter((type) => !listened.has(type))).toEqual([])
    expect(publishedTypes(serverSetup).filter((type) => !listened.has(type))).toEqual([])
    expect(publishedTypes(serverSetup).length).toBeGreaterThan(0)
  })

  it.each(['README.md', 'docs/README.md'])('the docs index of %s links every page of docs/', (index) => {
    const linked = new Set([...read(index).matchAll(/\]\((?:docs\/)?([\w-]+\.md)\)/g)].map((match) => `docs/${match[1]}`))
    expect(PAGES.filter((page) => page !== 'README.md' && page !== 'docs/README.md' && !linked.has(page))).toEqual([])
  })

  it.each(PAGES)('%s says `npm install … ws` wherever it calls attach(), which needs ws', (page) => {
    const markdown = read(page)
    if (!codeBlocks(markdown).some((code) => /\.attach\(/.test(code))) return
    expect(markdown).toMatch(/npm install [^\n]*\bws\b/)
  })
})
