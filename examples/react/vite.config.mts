import { exampleConfig } from '../shared/vite.mts'

// Vite compiles JSX itself; @vitejs/plugin-react would add Fast Refresh.
export default exampleConfig()
