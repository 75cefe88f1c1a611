/**
 * Simulated restaurant: a menu and a stream of random orders, one batch per tick.
 * Pure apart from the injected `random`, so a test can make it deterministic.
 */

/** The menu shown on the dashboard; `weight` is how often a dish is ordered relative to the others. */
export const MENU = [
  { name: '宫保鸡丁', en: 'Kung Pao Chicken', price: 38, weight: 9 },
  { name: '鱼香肉丝', en: 'Yu Xiang Pork', price: 32, weight: 8 },
  { name: '麻婆豆腐', en: 'Mapo Tofu', price: 26, weight: 7 },
  { name: '红烧肉', en: 'Braised Pork', price: 48, weight: 6 },
  { name: '水煮鱼', en: 'Boiled Fish', price: 68, weight: 5 },
  { name: '糖醋排骨', en: 'Sweet & Sour Ribs', price: 52, weight: 5 },
  { name: '回锅肉', en: 'Twice-Cooked Pork', price: 36, weight: 4 },
  { name: '小笼包', en: 'Soup Dumplings', price: 22, weight: 6 },
]

const TABLES = 24
const MAX_ORDERS_PER_TICK = 6

/**
 * Creates the simulator. Each `tick(now)` places 0–6 orders and returns the batch together
 * with the running totals, so any single event is enough to redraw the whole dashboard.
 *
 * @param {{ random?: () => number }} [options]
 */
export function createOrderSimulator({ random = Math.random } = {}) {
  const sales = MENU.map(() => 0)
  const totalWeight = MENU.reduce((sum, dish) => sum + dish.weight, 0)
  let orderCount = 0
  let revenue = 0

  function pickDish() {
    let ticket = random() * totalWeight
    for (let index = 0; index < MENU.length; index++) {
      ticket -= MENU[index].weight
      if (ticket < 0) return index
    }
    return MENU.length - 1
  }

  return {
    /** @param {number} now epoch milliseconds of this batch */
    tick(now) {
      const count = Math.floor(random() * (MAX_ORDERS_PER_TICK + 1))
      const orders = []
      for (let n = 0; n < count; n++) {
        const index = pickDish()
        const qty = random() < 0.75 ? 1 : 2
        sales[index] += qty
        revenue += qty * MENU[index].price
        orders.push({ table: 1 + Math.floor(random() * TABLES), dish: MENU[index].name, qty })
      }
      orderCount += count
      return {
        at: now,
        orders,
        orderCount,
        revenue,
        dishes: MENU.map((dish, index) => ({ name: dish.name, en: dish.en, sales: sales[index] })),
      }
    },
  }
}
