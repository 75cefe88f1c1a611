// Fails when a browser entry of dist/ (or a chunk it loads) imports a Node built-in: those
// files reach users' bundles, and only dist/server.* may speak to Node.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const dist = path.join(__dirname, '..', 'dist')
const BROWSER_ENTRIES = ['index', 'react', 'vue', 'svelte'].flatMap((name) => [`${name}.mjs`, `${name}.js`])
  .concat(['pushwire.umd.js', 'pushwire.legacy.umd.js'])
const NODE_IMPORT = /(?:from\s*|import\s*|require\()\s*["'](?:node:[^"']+|fs|path|url|http|https|net|stream|crypto|os|ws)["']/

const seen = new Set()
const problems = []
function visit(file) {
  if (seen.has(file)) return
  seen.add(file)
  const code = fs.readFileSync(path.join(dist, file), 'utf8')
  const match = code.match(NODE_IMPORT)
  if (match) problems.push(`${file}: ${match[0]}`)
  for (const [, chunk] of code.matchAll(/["']\.\/(chunk-[\w-]+\.m?js)["']/g)) visit(chunk)
}
BROWSER_ENTRIES.forEach(visit)
if (problems.length) {
  console.error('Browser entries must not load Node modules:\n  ' + problems.join('\n  '))
  process.exit(1)
}
console.log(`browser dist: ${seen.size} files, no Node imports`)
