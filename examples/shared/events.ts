/** One batch of restaurant orders with the running totals, as the dish stream sends it. */
export type DishBatch = {
  at: number
  orders: { table: number; dish: string; qty: number }[]
  orderCount: number
  revenue: number
  dishes: { name: string; en: string; sales: number }[]
}

/** The server's events: declared once, they type every wrapper. */
export interface DishEvents {
  dish: DishBatch
}

/** Dishes by sales, best first. */
export function ranking(batch: DishBatch | undefined): DishBatch['dishes'] {
  return batch ? batch.dishes.slice().sort((a, b) => b.sales - a.sales) : []
}
