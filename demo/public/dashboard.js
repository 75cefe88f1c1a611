// The live dish dashboard: one pushwire client feeding two charts, KPIs, an order feed and a
// status panel that proves, from the batch numbers, that no event was lost across reconnects.
;(function () {
  'use strict'

  const STREAM_URL = '/stream'
  const TRANSPORTS = ['auto', 'eventsource', 'fetch-sse', 'websocket', 'long-poll']
  const HISTORY_POINTS = 60 // events kept on the line chart (and replayed on page load)
  const FEED_ITEMS = 12
  const RATE_WINDOW_MS = 5000
  const COLORS = ['#e4572e', '#f3a712', '#29a36a', '#2e86ab', '#a23b72', '#d1495b', '#6c5b7b', '#00a6a6']

  const ui = window.DemoUI
  const $ = (id) => document.getElementById(id)
  const view = {
    notice: $('notice'),
    drop: $('drop'),
    orders: $('kpi-orders'),
    revenue: $('kpi-revenue'),
    top: $('kpi-top'),
    events: $('kpi-events'),
    transport: $('status-transport'),
    state: $('status-state'),
    role: $('status-role'),
    connections: $('status-connections'),
    share: $('share'),
    reconnects: $('status-reconnects'),
    lastId: $('status-last-id'),
    rate: $('status-rate'),
    gaps: $('status-gaps'),
    duplicates: $('status-duplicates'),
    error: $('status-error'),
    feed: $('feed'),
  }

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily
  Chart.defaults.color = '#5b6472'

  const salesChart = new Chart($('sales-chart'), {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'Sales 销量', data: [], backgroundColor: COLORS, borderRadius: 6, maxBarThickness: 56 }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 400 },
      plugins: { legend: { display: false } },
      scales: {
        x: { grid: { display: false }, ticks: { font: { size: 11 } } },
        y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#eef0f3' } },
      },
    },
  })

  // x is the batch number, so a lost event would show as a hole in the line.
  const ordersChart = new Chart($('orders-chart'), {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'Orders 订单',
          data: [],
          borderColor: '#e4572e',
          backgroundColor: 'rgba(228, 87, 46, 0.12)',
          fill: true,
          cubicInterpolationMode: 'monotone',
          pointRadius: 0,
          pointHitRadius: 8,
          spanGaps: false,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? '#' + items[0].raw.x + ' · ' + items[0].raw.time : ''),
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          grid: { display: false },
          ticks: {
            maxTicksLimit: 7,
            callback(value) {
              return timeOfPoint(this.chart, value)
            },
          },
        },
        y: { beginAtZero: true, suggestedMax: 6, ticks: { precision: 0 }, grid: { color: '#eef0f3' } },
      },
    },
  })

  function timeOfPoint(chart, seq) {
    const points = chart.data.datasets[0].data
    const point = points.length ? points[seq - points[0].x] : undefined
    return point && point.x === seq ? point.time : ''
  }

  // ---- what the page has seen: batch numbers, rate, reconnects ---------------------------

  let expectedSeq = null // the batch number that should come next; null until the first event
  let gaps = 0
  let duplicates = 0
  let received = 0
  let reconnects = 0
  let arrivals = [] // receive times within RATE_WINDOW_MS

  function trackSeq(seq) {
    if (expectedSeq !== null && seq > expectedSeq) gaps += seq - expectedSeq
    if (expectedSeq !== null && seq < expectedSeq) duplicates += 1
    else expectedSeq = seq + 1
    received += 1
    arrivals.push(Date.now())
    if (arrivals.length > 1000) arrivals.shift()
  }

  function renderCounters(lastEventId) {
    view.events.textContent = String(received)
    view.lastId.textContent = lastEventId || '–'
    view.gaps.textContent = String(gaps)
    view.gaps.className = gaps ? 'bad' : 'good'
    view.duplicates.textContent = String(duplicates)
    view.duplicates.className = duplicates ? 'bad' : 'good'
  }

  function renderRate() {
    const since = Date.now() - RATE_WINDOW_MS
    arrivals = arrivals.filter((time) => time > since)
    view.rate.textContent = (arrivals.length / (RATE_WINDOW_MS / 1000)).toFixed(1)
  }
  setInterval(renderRate, 500)

  // ---- one batch of orders -> charts, KPIs, feed -----------------------------------------

  function renderBatch(batch) {
    salesChart.data.labels = batch.dishes.map((dish) => [dish.name, dish.en])
    salesChart.data.datasets[0].data = batch.dishes.map((dish) => dish.sales)
    salesChart.update()

    const points = ordersChart.data.datasets[0].data
    points.push({ x: batch.seq, y: batch.orders.length, time: ui.clockTime(batch.at) })
    if (points.length > HISTORY_POINTS) points.splice(0, points.length - HISTORY_POINTS)
    ordersChart.options.scales.x.min = points[0].x
    ordersChart.options.scales.x.max = Math.max(points[points.length - 1].x, points[0].x + 1)
    ordersChart.update('none')

    view.orders.textContent = batch.orderCount.toLocaleString('en-US')
    view.revenue.textContent = '¥' + batch.revenue.toLocaleString('en-US')
    const top = batch.dishes.reduce((best, dish) => (dish.sales > best.sales ? dish : best), batch.dishes[0])
    view.top.textContent = top.sales ? top.name : '–'
    view.top.title = top.sales ? top.en + ' · ' + top.sales : ''

    batch.orders.forEach((order) => {
      const item = ui.element('li', 'feed-item')
      item.appendChild(ui.element('span', 'feed-table', 'T' + order.table))
      item.appendChild(ui.element('span', 'feed-dish', order.dish))
      item.appendChild(ui.element('span', 'feed-qty', '× ' + order.qty))
      item.appendChild(ui.element('time', 'feed-time', ui.clockTime(batch.at)))
      view.feed.insertBefore(item, view.feed.firstChild)
    })
    ui.trimList(view.feed, FEED_ITEMS)
  }

  // The server no longer holds the events after our id: start the history over.
  function resetHistory() {
    expectedSeq = null
    ordersChart.data.datasets[0].data = []
    ordersChart.update('none')
    showNotice('The server could not replay the missed events; history restarted. 历史已重置')
  }

  // ---- the client ---------------------------------------------------------------------------

  let client = null

  function connect(choice, lastEventId) {
    const current = Pushwire.createPushClient({
      url: STREAM_URL,
      decode: 'json',
      transports: choice === 'auto' ? undefined : [choice],
      lastEventId,
      // The tabs on one transport share one connection; another transport gets its own key.
      share: sharing ? Pushwire.shareAcrossTabs({ key: 'dishes:' + choice }) : undefined,
    })
    client = current
    current.on('dish', (msg) => {
      trackSeq(msg.data.seq)
      renderBatch(msg.data)
      renderCounters(current.lastEventId)
    })
    current.on('pushwire:reset', resetHistory)
    let previousState = null
    current.onStatus((status) => {
      if (current !== client) return
      if (status.state === 'reconnecting' && previousState !== 'reconnecting') reconnects += 1
      previousState = status.state
      view.transport.textContent = status.transport || '–'
      ui.setStatePill(view.state, status.state)
      view.role.textContent = status.role ? status.role + (status.role === 'leader' ? ' 主' : ' 从') : 'own 独立'
      view.role.setAttribute('data-role', status.role || '')
      view.reconnects.textContent = String(reconnects)
      if (status.error) view.error.textContent = status.error.code + ': ' + status.error.message
      else if (status.state === 'open') view.error.textContent = ''
    })
  }

  let selected = initialChoice()
  let sharing = new URLSearchParams(location.search).get('share') !== 'off'

  // Switching transports, or sharing, keeps the resume point, so the charts go on without a hole.
  function reconnect(choice, share) {
    selected = choice
    sharing = share
    const url = new URL(location.href)
    url.searchParams.set('transport', choice)
    if (share) url.searchParams.delete('share')
    else url.searchParams.set('share', 'off')
    history.replaceState(null, '', url)
    const previous = client
    if (!previous) return // still starting: the first connect picks up `selected`
    client = null
    previous.close()
    connect(choice, previous.lastEventId)
  }

  // The server's count, not the page's: with sharing, every tab shows 1.
  function renderConnections() {
    fetch('/api/stats')
      .then((response) => response.json())
      .then((stats) => (view.connections.textContent = String(stats.clientCount)))
      .catch(() => (view.connections.textContent = '?'))
  }
  setInterval(renderConnections, 2000)
  renderConnections()

  let noticeTimer
  function showNotice(text) {
    view.notice.textContent = text
    clearTimeout(noticeTimer)
    noticeTimer = setTimeout(() => (view.notice.textContent = ''), 6000)
  }

  // Behind the cluster demo's proxy the answer says which processes dropped connections.
  function where(result) {
    if (!result.processes) return ''
    const ports = result.processes.filter((each) => each.dropped > 0).map((each) => each.port)
    return ports.length ? ' on the process at port ' + ports.join(', ') : ''
  }

  function dropConnection() {
    view.drop.disabled = true
    fetch('/api/drop', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error('HTTP ' + response.status))))
      .then(
        (result) => showNotice('Dropped ' + result.dropped + ' connection(s) server-side' + where(result) + ' — watch the client resume. 已断开'),
        (error) => showNotice('Drop failed: ' + error.message),
      )
      .then(() => (view.drop.disabled = false))
  }

  function initialChoice() {
    const asked = new URLSearchParams(location.search).get('transport')
    return TRANSPORTS.indexOf(asked) === -1 ? 'auto' : asked
  }

  // Resume 60 events before the newest (the server knows which id that is), so the line
  // chart starts full, not empty.
  function historyStart() {
    return fetch('/api/start')
      .then((response) => response.json())
      .then((start) => start.lastEventId)
      .catch(() => undefined)
  }

  document.querySelectorAll('input[name="transport"]').forEach((input) => {
    input.checked = input.value === selected
    input.addEventListener('change', () => {
      if (input.checked) reconnect(input.value, sharing)
    })
  })
  view.share.checked = sharing
  view.share.addEventListener('change', () => reconnect(selected, view.share.checked))
  view.drop.addEventListener('click', dropConnection)
  historyStart().then((lastEventId) => connect(selected, lastEventId))
})()
