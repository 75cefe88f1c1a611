import { describe, expect, it } from 'vitest'
import { extractSnippets } from './snippets'

const md = (...lines: string[]) => lines.join('\n')

describe('extractSnippets', () => {
  it('makes one module per ts, tsx, js and jsx block, and leaves other languages alone', () => {
    const { modules, skipped } = extractSnippets(
      'doc.md',
      md('# Title', '```ts', 'const a = 1', '```', '```sh', 'npm test', '```', '```tsx', 'const b = <p />', '```', '```vue', '<template/>', '```', '```js', 'let c', '```', '```', 'plain', '```'),
    )
    expect(modules.map((module) => [module.name, module.code])).toEqual([
      ['snippet-2.ts', 'const a = 1'],
      ['snippet-8.tsx', 'const b = <p />'],
      ['snippet-14.js', 'let c'],
    ])
    expect(modules[0].lines).toEqual([{ file: 'doc.md', line: 3 }])
    expect(skipped).toEqual([])
  })

  it('reads blocks indented in a list item, and longer fences around shorter ones', () => {
    const { modules } = extractSnippets('doc.md', md('1. Step:', '', '   ````ts', '   const a = "```"', '   ```', '   ````'))
    expect(modules[0].code).toBe('const a = "```"\n```')
  })

  it('skips a block only with a reason', () => {
    const { modules, skipped } = extractSnippets('doc.md', md('<!-- snippet: skip needs a bundler plugin -->', '```ts', 'import x from "./x.vue"', '```'))
    expect(modules).toEqual([])
    expect(skipped).toEqual([{ line: 2, reason: 'needs a bundler plugin' }])
    expect(() => extractSnippets('doc.md', md('<!-- snippet: skip -->', '```ts', 'x', '```'))).toThrow('doc.md:1: snippet: skip needs a reason')
  })

  it('appends a continued block to the previous module, keeping each line where it came from', () => {
    const { modules } = extractSnippets('doc.md', md('```ts', 'const a = 1', '```', 'Then:', '<!-- snippet: continues -->', '```ts', 'a + 1', '```'))
    expect(modules).toHaveLength(1)
    expect(modules[0].code).toBe('const a = 1\na + 1')
    expect(modules[0].lines.map((origin) => origin.line)).toEqual([2, 7])
  })

  it('names a module by file, and puts declarations before the block without showing them', () => {
    const { modules } = extractSnippets(
      'doc.md',
      md('<!-- snippet: file events.ts -->', '```ts', 'export type E = {}', '```', '<!-- snippet: declare', 'declare function render(): void', 'declare const x: number', '-->', '```ts', 'render()', '```'),
    )
    expect(modules.map((module) => module.name)).toEqual(['events.ts', 'snippet-9.ts'])
    expect(modules[1].code).toBe('declare function render(): void\ndeclare const x: number\nrender()')
    expect(modules[1].lines.map((origin) => origin.line)).toEqual([5, 5, 10])
  })

  it.each([
    ['an unknown marker', md('<!-- snippet: ignore because -->', '```ts', 'x', '```'), "doc.md:1: unknown snippet marker 'ignore'"],
    ['a marker above prose', md('<!-- snippet: continues -->', 'text', '```ts', 'x', '```'), 'doc.md:1: a snippet marker must sit right above a code block'],
    ['a marker at the end', md('```ts', 'x', '```', '<!-- snippet: continues -->'), 'doc.md:4: a snippet marker must sit right above a code block'],
    ['a marker above a shell block', md('<!-- snippet: skip not code -->', '```sh', 'ls', '```'), "not 'sh'"],
    ['a continuation of nothing', md('<!-- snippet: continues -->', '```ts', 'x', '```'), 'no checked block comes before it'],
    ['a continuation in another language', md('```ts', 'x', '```', '<!-- snippet: continues -->', '```tsx', 'y', '```'), 'in the language of the block it continues'],
    ['a file name with a path', md('<!-- snippet: file ../x.ts -->', '```ts', 'x', '```'), 'plain file name'],
    ['two blocks of one name', md('<!-- snippet: file a.ts -->', '```ts', 'x', '```', '<!-- snippet: file a.ts -->', '```ts', 'y', '```'), 'two blocks are named a.ts'],
    ['a block never closed', md('```ts', 'x'), 'doc.md:1: code block never closed'],
    ['declarations for JavaScript', md('<!-- snippet: declare declare const x: number -->', '```js', 'x', '```'), 'JavaScript cannot declare'],
  ])('refuses %s', (_what, markdown, message) => {
    expect(() => extractSnippets('doc.md', markdown)).toThrow(message)
  })
})
