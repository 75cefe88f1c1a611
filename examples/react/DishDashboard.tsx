import { usePush, usePushEvent } from 'pushwire/react'
import { useState } from 'react'
import { ranking, type DishEvents } from '../shared/events'

export function DishDashboard() {
  const { client, status, lastMessage } = usePush<DishEvents, 'dish'>({ url: '/stream', decode: 'json' }, 'dish')
  const batch = lastMessage?.data
  // Every batch, not just the latest: the order log keeps the last ten.
  const [log, setLog] = useState<string[]>([])
  usePushEvent(client, 'dish', (message) => {
    const lines = message.data.orders.map((order) => `table ${order.table}: ${order.qty} × ${order.dish}`)
    setLog((previous) => lines.concat(previous).slice(0, 10))
  })

  return (
    <main>
      <h1>Dish dashboard</h1>
      <p>
        {status.state}
        {status.transport && ` over ${status.transport}`}
        {status.error && ` (${status.error.code})`}
      </p>
      {batch ? (
        <>
          <p>
            {batch.orderCount} orders, ¥{batch.revenue}
          </p>
          <table>
            <tbody>
              {ranking(batch).map((dish) => (
                <tr key={dish.name}>
                  <td>{dish.name}</td>
                  <td>{dish.en}</td>
                  <td>{dish.sales}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul>
            {log.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>Waiting for the first orders…</p>
      )}
    </main>
  )
}
