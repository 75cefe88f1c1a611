import { createApp } from 'vue'
import { DishDashboard } from './DishDashboard'

createApp(DishDashboard).mount('#app')
