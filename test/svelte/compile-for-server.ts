import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { Component } from 'svelte'
import { compile } from 'svelte/compiler'
import * as svelteInternalServer from 'svelte/internal/server'
import * as svelteStore from 'svelte/store'
import * as pushwireSvelte from '../../src/svelte/index'

const MODULES: Record<string, unknown> = {
  'svelte/internal/server': svelteInternalServer,
  'svelte/store': svelteStore,
  'pushwire/svelte': pushwireSvelte,
}

/**
 * Compiles a `.svelte` file for server rendering without a bundler plugin: the compiler's
 * ES module is run as a function whose imports come from the modules above.
 */
export function compileForServer<Props extends Record<string, unknown>>(file: string): Component<Props> {
  const { js } = compile(readFileSync(file, 'utf8'), { generate: 'server', filename: basename(file) })
  const body = js.code
    .replace(/^import (\* as [\w$]+|\{[^}]*\}) from '([^']+)';$/gm, (_, binding: string, from: string) => {
      if (!(from in MODULES)) throw new Error(`compileForServer: no module '${from}' for ${file}`)
      const names = binding.startsWith('*') ? binding.slice(5) : binding.replace(/ as /g, ': ')
      return `const ${names} = modules['${from}'];`
    })
    .replace(/^export default function/m, 'return function')
  return new Function('modules', body)(MODULES)
}
