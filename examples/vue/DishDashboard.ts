import { usePush, usePushEvent } from 'pushwire/vue'
import { computed, defineComponent, ref } from 'vue'
import { ranking, type DishEvents } from '../shared/events'

// A template string keeps this example free of a .vue compiler plugin; in an app with
// @vitejs/plugin-vue the same setup() goes into <script setup>.
export const DishDashboard = defineComponent({
  setup() {
    const { client, status, data, error } = usePush<DishEvents, 'dish'>({ url: '/stream', decode: 'json' }, { type: 'dish' })
    const dishes = computed(() => ranking(data.value))
    // Every batch, not just the latest: the order log keeps the last ten.
    const log = ref<string[]>([])
    usePushEvent(client, 'dish', (message) => {
      const lines = message.data.orders.map((order) => `table ${order.table}: ${order.qty} × ${order.dish}`)
      log.value = lines.concat(log.value).slice(0, 10)
    })
    return { status, data, error, dishes, log }
  },
  template: `
    <main>
      <h1>Dish dashboard</h1>
      <p>
        {{ status.state }}<template v-if="status.transport"> over {{ status.transport }}</template>
        <template v-if="error"> ({{ error.code }})</template>
      </p>
      <template v-if="data">
        <p>{{ data.orderCount }} orders, ¥{{ data.revenue }}</p>
        <table>
          <tbody>
            <tr v-for="dish in dishes" :key="dish.name">
              <td>{{ dish.name }}</td><td>{{ dish.en }}</td><td>{{ dish.sales }}</td>
            </tr>
          </tbody>
        </table>
        <ul><li v-for="(line, index) in log" :key="index">{{ line }}</li></ul>
      </template>
      <p v-else>Waiting for the first orders…</p>
    </main>
  `,
})
