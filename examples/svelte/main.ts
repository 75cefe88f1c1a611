import { mount } from 'svelte'
import DishDashboard from './DishDashboard.svelte'

mount(DishDashboard, { target: document.getElementById('app') as HTMLElement })
