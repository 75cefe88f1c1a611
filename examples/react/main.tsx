import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { DishDashboard } from './DishDashboard'

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <DishDashboard />
  </StrictMode>,
)
