/**
 * Turns the code blocks of a Markdown file into modules that TypeScript can check (see
 * docs/README.md for the markers a doc may use).
 *
 * Every ```ts, ```tsx, ```js and ```jsx block (and the long names `typescript`, `javascript`)
 * is checked; other languages (sh, vue, svelte, html, plain ```) are not. HTML comments
 * right above a block, invisible on GitHub, say how:
 *
 * - `<!-- snippet: skip <reason> -->`: not checked; the reason is required.
 * - `<!-- snippet: continues -->`: appended to the previous checked block of the same file,
 *   in one module (for a page that builds one example step by step).
 * - `<!-- snippet: file <name> -->`: written as `<name>`, so that another block of the same
 *   file can import it (`import type { DishEvents } from './events'`).
 * - `<!-- snippet: declare <code> -->`: code put before the block but not shown to the
 *   reader, for what the example takes from the app (`declare function render(…): void`).
 */

/** Languages TypeScript checks, and the extension each block is written with. */
const EXTENSIONS: Record<string, string> = {
  ts: '.ts',
  typescript: '.ts',
  tsx: '.tsx',
  js: '.js',
  javascript: '.js',
  jsx: '.jsx',
}

/** Where a line of a generated module came from. */
export interface SourceLine {
  file: string
  /** 1-based line in the Markdown file. */
  line: number
}

/** One module made of one or more code blocks. */
export interface SnippetModule {
  /** File name in the module's directory, e.g. `snippet-3.ts` or `events.ts`. */
  name: string
  /** The module's text. */
  code: string
  /** For each line of `code`, where it came from. */
  lines: SourceLine[]
}

/** A block left out by `skip`, with its reason. */
export interface SkippedSnippet {
  line: number
  reason: string
}

/** What one Markdown file holds for the checker. */
export interface DocSnippets {
  modules: SnippetModule[]
  skipped: SkippedSnippet[]
}

interface Directive {
  kind: 'skip' | 'continues' | 'file' | 'declare'
  argument: string
  /** 1-based line of the comment. */
  line: number
}

const DIRECTIVE = /^<!--\s*snippet:\s*(\S+)\s*([\s\S]*?)\s*-->$/
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/

function fail(file: string, line: number, why: string): never {
  throw new Error(`${file}:${line}: ${why}`)
}

function parseDirective(file: string, text: string, line: number): Directive {
  const match = DIRECTIVE.exec(text.trim())
  if (!match) return fail(file, line, `a snippet marker must be one HTML comment: <!-- snippet: … -->`)
  const [, kind, argument] = match
  if (kind !== 'skip' && kind !== 'continues' && kind !== 'file' && kind !== 'declare') {
    fail(file, line, `unknown snippet marker '${kind}' (skip, continues, file or declare)`)
  }
  if (kind === 'skip' && !argument) fail(file, line, 'snippet: skip needs a reason')
  if (kind === 'continues' && argument) fail(file, line, 'snippet: continues takes nothing after it')
  if (kind === 'file' && !/^[\w.-]+\.(ts|tsx|js|jsx)$/.test(argument)) {
    fail(file, line, `snippet: file needs a plain file name ending in .ts, .tsx, .js or .jsx, not '${argument}'`)
  }
  if (kind === 'declare' && !argument) fail(file, line, 'snippet: declare needs the code to declare')
  return { kind, argument, line }
}

/** Splits `markdown` (the text of `file`) into modules to check and blocks skipped on purpose. */
export function extractSnippets(file: string, markdown: string): DocSnippets {
  const lines = markdown.split(/\r?\n/)
  const modules: SnippetModule[] = []
  const skipped: SkippedSnippet[] = []
  let pending: Directive[] = []
  let last: SnippetModule | undefined

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]
    if (/^\s*<!--\s*snippet:/.test(text)) {
      // A marker may span lines (a multi-line declare): read up to its end.
      const start = i
      let comment = text
      while (comment.indexOf('-->') === -1 && i + 1 < lines.length) comment += '\n' + lines[++i]
      pending.push(parseDirective(file, comment, start + 1))
      continue
    }
    const fence = FENCE.exec(text)
    if (!fence) {
      if (text.trim() && pending.length) fail(file, pending[0].line, 'a snippet marker must sit right above a code block')
      continue
    }
    const [, indent, marker, info] = fence
    const openedAt = i + 1
    const body: string[] = []
    for (i++; i < lines.length && !new RegExp(`^\\s*${marker}\\s*$`).test(lines[i]); i++) {
      body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i].trimStart())
    }
    if (i === lines.length) fail(file, openedAt, 'code block never closed')
    const directives = pending
    pending = []
    const extension = EXTENSIONS[info.toLowerCase()]
    if (!extension) {
      if (directives.length) fail(file, directives[0].line, `snippet markers apply to ts, tsx, js and jsx blocks, not '${info || 'plain'}'`)
      continue
    }
    const skip = directives.find((directive) => directive.kind === 'skip')
    if (skip) {
      if (directives.length > 1) fail(file, skip.line, 'a skipped block takes no other marker')
      skipped.push({ line: openedAt, reason: skip.argument })
      continue
    }
    const source = (line: number): SourceLine => ({ file, line })
    const code: string[] = []
    const origins: SourceLine[] = []
    for (const directive of directives) {
      if (directive.kind !== 'declare') continue
      directive.argument.split('\n').forEach((declared) => {
        code.push(declared)
        origins.push(source(directive.line))
      })
    }
    body.forEach((line, index) => {
      code.push(line)
      origins.push(source(openedAt + 1 + index))
    })
    const declared = directives.find((directive) => directive.kind === 'declare')
    if (declared && extension.indexOf('.js') === 0) fail(file, declared.line, 'JavaScript cannot declare: make the block ts (or tsx)')
    const named = directives.find((directive) => directive.kind === 'file')
    if (directives.some((directive) => directive.kind === 'continues')) {
      if (!last) return fail(file, openedAt, 'snippet: continues, but no checked block comes before it')
      if (named) fail(file, named.line, 'a continued block keeps the name of the block it continues')
      if (extension !== last.name.slice(last.name.lastIndexOf('.'))) fail(file, openedAt, 'a continued block must be in the language of the block it continues')
      last.code += '\n' + code.join('\n')
      last.lines.push(...origins)
      continue
    }
    last = { name: named ? named.argument : `snippet-${openedAt}${extension}`, code: code.join('\n'), lines: origins }
    if (modules.some((module) => module.name === (last as SnippetModule).name)) fail(file, openedAt, `two blocks are named ${last.name}`)
    modules.push(last)
  }
  if (pending.length) fail(file, pending[0].line, 'a snippet marker must sit right above a code block')
  return { modules, skipped }
}
