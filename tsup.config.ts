import { defineConfig, type Options } from 'tsup'

type TsupPlugin = NonNullable<Options['plugins']>[number]
const GLOBAL = 'Pushwire'

// ES5-only UMD shell: AMD define(), CommonJS module.exports, else a global on self/this.
const UMD_OPEN =
  '(function (root, factory) {' +
  " if (typeof define === 'function' && define.amd) define([], factory);" +
  " else if (typeof module === 'object' && module.exports) module.exports = factory();" +
  ` else root.${GLOBAL} = factory();` +
  " })(typeof self !== 'undefined' ? self : this, function () {"
const UMD_CLOSE = `return ${GLOBAL};\n});`

// tsup's own `target: 'es5'` hoists swc helpers outside any wrapper (they leak as globals),
// so the legacy bundle is lowered here first and wrapped afterwards.
function es5Umd(): TsupPlugin {
  return {
    name: 'es5-umd',
    async renderChunk(code, info) {
      if (!info.path.endsWith('.js')) return
      const swc = await import('@swc/core')
      const out = await swc.transform(code, {
        filename: info.path,
        sourceMaps: true,
        isModule: false,
        minify: true,
        jsc: {
          target: 'es5',
          loose: true,
          parser: { syntax: 'ecmascript' },
          minify: { compress: true, mangle: { topLevel: true, reserved: [GLOBAL] } },
        },
      })
      const map = JSON.parse(out.map!)
      map.mappings = ';' + map.mappings
      return { code: `${UMD_OPEN}\n${out.code}\n${UMD_CLOSE}`, map }
    },
  }
}

const scriptTag: Options = {
  format: ['iife'],
  globalName: GLOBAL,
  platform: 'browser',
  noExternal: [/.*/],
  sourcemap: true,
  dts: false,
}

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      react: 'src/react/index.ts',
      vue: 'src/vue/index.ts',
      svelte: 'src/svelte/index.ts',
    },
    format: ['esm', 'cjs'],
    target: 'es2020',
    dts: true,
    sourcemap: true,
    splitting: true,
    treeshake: true,
    external: ['react', 'vue', 'svelte'],
    // Bundling turns every module's top-level `const` into a `var`, which an app's minifier
    // (esbuild, as in Vite and size-limit) no longer inlines: folded here, named constants
    // (message kinds, limits) reach apps as literals. Names and layout stay readable.
    esbuildOptions(options) {
      options.minifySyntax = true
    },
  },
  {
    // Node only, built apart so that its Node shims never reach a browser entry's chunks.
    entry: { server: 'src/server/index.ts' },
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'node18',
    dts: true,
    sourcemap: true,
    // The lazy `ws` and `redis` loaders read import.meta.url in ESM and __filename in CJS.
    shims: true,
    external: ['ws', 'redis'],
  },
  {
    ...scriptTag,
    entry: { pushwire: 'src/index.ts' },
    target: 'es2020',
    minify: true,
    banner: { js: UMD_OPEN },
    footer: { js: UMD_CLOSE },
    outExtension: () => ({ js: '.umd.js' }),
  },
  {
    ...scriptTag,
    entry: { pushwire: 'src/legacy.ts' },
    target: 'es2020',
    minify: false,
    plugins: [es5Umd()],
    outExtension: () => ({ js: '.legacy.umd.js' }),
  },
])
