import { svelte } from '@sveltejs/vite-plugin-svelte'
import { exampleConfig } from '../shared/vite.mts'

export default exampleConfig({ plugins: [svelte()] })
