// Run locally: the Run tab's test client, the stream of gateway events and
// function logs, and the canvas lighting up the route, wires and functions
// each message travels through. The server renders the panel
// (web/run.templ); this only connects it.

// How long a route, wire or node stays lit after an event.
const LIT_MS = 900
// How many lines the log and the message list keep.
const MAX_LINES = 500
// The connections and tables refresh this long after a change the feed
// tells of (several changes, one refresh), and at least this often for
// changes it cannot tell of (an external DynamoDB endpoint).
const DATA_SETTLE_MS = 150
const DATA_EVERY_MS = 5000
// The events that change what the connections list shows.
const DATA_EVENTS = new Set(['connect', 'disconnect', 'message'])

export function initRun (htmx) {
  let source = null
  let socket = null
  let dataTimer = null
  let dataEvery = null
  let onRunTab = null
  const timers = new WeakMap()

  // The toolbar's button swaps the panel in; show it.
  document.body.addEventListener('htmx:afterSwap', (e) => {
    if (e.detail.target?.id !== 'run-tab') return
    if (e.detail.requestConfig?.verb === 'post') document.querySelector('[data-tab="run-tab"]')?.click()
  })

  htmx.onLoad((root) => {
    const panel = root.matches?.('[data-run-panel]') ? root : root.querySelector?.('[data-run-panel]')
    if (panel) setup(panel)
  })

  function setup (panel) {
    // A new panel replaces the old: its stream and socket belong to a run
    // that was stopped or restarted.
    if (source) { source.close(); source = null }
    if (socket) { socket.close(); socket = null }
    clearInterval(dataEvery)
    if (!panel.hasAttribute('data-running')) return

    // refreshData reloads the connections and items, though not while the
    // user is on one of its buttons: the swap would take their focus away.
    // It then waits for them to leave.
    let dataStale = false
    const refreshData = () => {
      const data = panel.querySelector('[data-run-data]')
      if (!data || !panel.isConnected) return
      // Another tab is shown: the Run tab's button refreshes on return.
      if (!data.offsetParent) { dataStale = true; return }
      if (data.contains(document.activeElement)) { dataStale = true; return }
      dataStale = false
      htmx.trigger(data, 'refresh')
    }
    const dataChanged = () => {
      clearTimeout(dataTimer)
      dataTimer = setTimeout(refreshData, DATA_SETTLE_MS)
    }
    panel.addEventListener('focusout', (e) => {
      if (dataStale && !panel.querySelector('[data-run-data]')?.contains(e.relatedTarget)) dataChanged()
    })
    dataEvery = setInterval(refreshData, DATA_EVERY_MS)
    const runTab = document.querySelector('[data-tab="run-tab"]')
    if (onRunTab) runTab?.removeEventListener('click', onRunTab)
    onRunTab = () => { if (dataStale) dataChanged() }
    runTab?.addEventListener('click', onRunTab)

    const log = panel.querySelector('[data-run-log]')
    const messages = panel.querySelector('[data-run-messages]')
    const state = panel.querySelector('[data-run-state]')
    const connectBtn = panel.querySelector('[data-run-connect]')
    const disconnectBtn = panel.querySelector('[data-run-disconnect]')
    const sendBtn = panel.querySelector('[data-run-send]')
    const message = panel.querySelector('[data-run-message]')
    const filter = panel.querySelector('[data-run-filter]')
    // The filter makes a per-connection log out of the whole one: lines
    // name their connection ID.
    const applyFilter = (li) => { li.hidden = !!filter.value && !li.textContent.includes(filter.value.trim()) }
    filter.addEventListener('input', () => log.querySelectorAll('li').forEach(applyFilter))

    source = new EventSource(panel.dataset.eventsUrl)
    source.addEventListener('end', () => { source?.close(); source = null; clearInterval(dataEvery) })
    source.onmessage = (e) => {
      let item
      try { item = JSON.parse(e.data) } catch (_) { return }
      if (item.type === 'table' || (item.type === 'event' && DATA_EVENTS.has(item.kind))) dataChanged()
      if (item.type === 'log') {
        applyFilter(append(log, `${item.function} ${item.text}`, 'log-' + (item.stream || 'stdout')))
      } else if (item.type === 'event') {
        light(item)
        applyFilter(append(log, describe(item), 'event-' + item.kind))
        if (item.kind === 'reply' || item.kind === 'push') label(item)
      }
    }

    connectBtn.addEventListener('click', () => {
      if (socket) socket.close()
      const url = panel.querySelector('[data-run-url]').value + panel.querySelector('[data-run-query]').value.trim()
      const ws = new WebSocket(url)
      socket = ws
      state.textContent = 'Connecting…'
      delete panel.dataset.connectionId
      ws.onopen = () => {
        state.textContent = 'Connected'
        sendBtn.disabled = false
        disconnectBtn.disabled = false
      }
      ws.onmessage = (e) => received(e.data)
      ws.onclose = (e) => {
        if (socket === ws) socket = null
        state.textContent = e.code === 1006 && !e.wasClean ? 'Refused or dropped' : `Closed ${e.code}${e.reason ? ' ' + e.reason : ''}`
        append(messages, `closed ${e.code}${e.reason ? ' ' + e.reason : ''}`, 'closed')
        sendBtn.disabled = true
        disconnectBtn.disabled = true
      }
    })
    // label tells a reply from an @connections push: the frame itself does
    // not say, the gateway's event for the same data does. Frame and event
    // travel on different connections, so whichever comes second pairs
    // them. The event also reveals this client's connection ID.
    const pending = []
    function label (ev) {
      const li = [...messages.querySelectorAll('li.in:not([data-kind])')].find((el) => el.dataset.raw === ev.data)
      if (!li) {
        pending.push(ev)
        if (pending.length > 50) pending.shift()
        return
      }
      mark(li, ev)
    }
    function received (data) {
      const li = append(messages, '← ' + data, 'in')
      li.dataset.raw = data
      const i = pending.findIndex((ev) => ev.data === data)
      if (i >= 0) mark(li, pending.splice(i, 1)[0])
    }
    function mark (li, ev) {
      li.dataset.kind = ev.kind
      li.textContent = `← ${ev.kind}: ${li.dataset.raw}`
      if (socket && !panel.dataset.connectionId) {
        panel.dataset.connectionId = ev.connectionId
        state.textContent = `Connected as ${ev.connectionId}`
      }
    }
    disconnectBtn.addEventListener('click', () => socket?.close(1000, 'bye'))
    sendBtn.addEventListener('click', () => {
      if (!socket || socket.readyState !== WebSocket.OPEN) return
      socket.send(message.value)
      append(messages, '→ ' + message.value, 'out')
    })
  }

  // light marks what an event went through, for LIT_MS, and counts it in
  // data-hits so a test can see it happened.
  function light (ev) {
    const els = []
    if (ev.routeId) els.push(...document.querySelectorAll(`[data-route="${CSS.escape(ev.routeId)}"]`))
    for (const id of ev.wireIds || []) {
      const el = document.getElementById('wire-' + id)
      if (el) els.push(el)
    }
    if (ev.functionId) els.push(document.getElementById('node-' + ev.functionId))
    if (ev.kind === 'connect' || ev.kind === 'disconnect' || ev.kind === 'push') els.push(document.getElementById('node-' + ev.apiId))
    for (const el of els) {
      if (!el) continue
      el.dataset.hits = String((Number(el.dataset.hits) || 0) + 1)
      el.classList.add('lit')
      clearTimeout(timers.get(el))
      timers.set(el, setTimeout(() => el.classList.remove('lit'), LIT_MS))
    }
  }
}

function describe (ev) {
  const parts = [ev.kind]
  if (ev.routeKey) parts.push(ev.routeKey)
  if (ev.function) parts.push('→ ' + ev.function)
  if (ev.connectionId) parts.push('[' + ev.connectionId + ']')
  if (ev.status) parts.push(String(ev.status))
  if (ev.data) parts.push(ev.data)
  if (ev.detail) parts.push('(' + ev.detail + ')')
  return parts.join(' ')
}

function append (list, text, kind) {
  if (!list) return
  const li = document.createElement('li')
  li.className = kind
  li.textContent = text
  list.append(li)
  while (list.children.length > MAX_LINES) list.firstElementChild.remove()
  list.scrollTop = list.scrollHeight
  return li
}
