// Navigation: search (Ctrl+K) for any resource or route by name, flying to
// what is picked; zoom to the selection (Shift+2) and fit (Shift+1); a
// click on the simplified far drawing flies to the node under it; and the
// Arrange button (arrange.js).
import { arrange, arrangeIfUnplaced } from './arrange.js'

const MAX_RESULTS = 50

export function initNavigation (c) {
  const { editor, view, scene, selection, overview } = c
  const dialog = buildDialog()
  editor.append(dialog.el)

  // select selects a node once the flight that brings it into view has
  // landed: a node drawn simplified cannot take focus.
  function selectAfterFlight (id) {
    setTimeout(() => selection.select('node-' + id), 300)
  }
  function flyToNode (id) {
    const box = scene.boxOf(id)
    if (!box) return
    view.focus(box)
    selectAfterFlight(id)
  }
  function flyToRoute (apiID, routeID) {
    scene.expand(apiID)
    const api = document.getElementById('node-' + apiID)
    const rows = api ? [...api.querySelectorAll(':scope > .route')] : []
    const i = rows.findIndex((r) => r.dataset.route === routeID)
    const box = scene.boxOf(apiID)
    if (!box || i < 0) return flyToNode(apiID)
    const g = scene.geometry
    const y = box.minY + g.head + i * g.row
    view.focus({ minX: box.minX, maxX: box.maxX, minY: y - g.head, maxY: y + g.row + g.head })
    selectAfterFlight(apiID)
    document.querySelectorAll('.route.found').forEach((r) => r.classList.remove('found'))
    rows[i].classList.add('found')
    setTimeout(() => rows[i].classList.remove('found'), 2500)
  }

  // entries lists everything search finds: nodes, then routes.
  function entries () {
    const out = []
    scene.forEachNode((n) => out.push({ name: n.name, what: n.el.querySelector('.node-kind')?.textContent ?? n.kind, go: () => flyToNode(n.id) }))
    for (const row of document.querySelectorAll('#nodes > .node-api > .route')) {
      const api = row.parentElement
      const key = row.querySelector('.route-key')?.textContent ?? ''
      out.push({ name: key, what: 'Route of ' + api.dataset.name, go: () => flyToRoute(api.dataset.node, row.dataset.route) })
    }
    return out
  }
  function search (q) {
    q = q.trim().toLowerCase()
    const all = entries()
    if (!q) return all.slice(0, MAX_RESULTS)
    const starts = []; const contains = []
    for (const e of all) {
      const name = e.name.toLowerCase()
      if (name.startsWith(q)) starts.push(e)
      else if (name.includes(q)) contains.push(e)
      if (starts.length >= MAX_RESULTS) break
    }
    return starts.concat(contains).slice(0, MAX_RESULTS)
  }
  dialog.onSearch = search

  function zoomToSelection () {
    const boxes = []
    for (const el of document.querySelectorAll('#nodes > .node.selected')) boxes.push(scene.boxOf(el.dataset.node))
    for (const el of document.querySelectorAll('#wires > svg.wire.selected')) boxes.push(scene.boxOf(el.dataset.fromNode), scene.boxOf(el.dataset.toNode))
    const real = boxes.filter(Boolean)
    if (real.length === 0) return
    view.zoomTo({
      minX: Math.min(...real.map((b) => b.minX)),
      minY: Math.min(...real.map((b) => b.minY)),
      maxX: Math.max(...real.map((b) => b.maxX)),
      maxY: Math.max(...real.map((b) => b.maxY))
    })
  }

  editor.addEventListener('click', (e) => {
    switch (e.target.closest('[data-action]')?.dataset.action) {
      case 'search': return dialog.open()
      case 'zoom-selection': return zoomToSelection()
      case 'arrange': return arrange(c)
    }
  })
  overview.addEventListener('click', (e) => {
    const id = scene.nodeAt(view.toWorld(e.clientX, e.clientY))
    if (id) flyToNode(id)
  })
  document.addEventListener('keydown', (e) => {
    const mod = e.ctrlKey || e.metaKey
    if (mod && (e.key === 'k' || e.key === 'K')) {
      e.preventDefault()
      return dialog.open()
    }
    if (e.target.closest?.('input, textarea, select, [contenteditable], dialog')) return
    // R on a focused API collapses its routes to a count, or shows them.
    const api = e.target.closest?.('#nodes > .node-api')
    if (api && !mod && !e.altKey && (e.key === 'r' || e.key === 'R')) {
      e.preventDefault()
      return scene.toggleRoutes(api.dataset.node)
    }
    if (e.shiftKey && !mod && e.code === 'Digit1') return view.fit()
    if (e.shiftKey && !mod && e.code === 'Digit2') return zoomToSelection()
  })
  arrangeIfUnplaced(c)
}

// buildDialog is the search box: a modal dialog with a combobox and its
// listbox of results.
function buildDialog () {
  const el = document.createElement('dialog')
  el.className = 'search-dialog'
  el.dataset.testid = 'search-dialog'
  el.setAttribute('aria-label', 'Find a resource or route')
  const input = document.createElement('input')
  input.type = 'search'
  input.placeholder = 'Find a resource or route…'
  input.setAttribute('role', 'combobox')
  input.setAttribute('aria-expanded', 'true')
  input.setAttribute('aria-controls', 'search-results')
  input.setAttribute('aria-autocomplete', 'list')
  input.setAttribute('aria-label', 'Find a resource or route by name')
  input.dataset.testid = 'search-input'
  const list = document.createElement('ul')
  list.id = 'search-results'
  list.setAttribute('role', 'listbox')
  list.setAttribute('aria-label', 'Results')
  const status = document.createElement('p')
  status.className = 'hint'
  status.setAttribute('role', 'status')
  el.append(input, list, status)

  let results = []
  let active = 0
  const d = { el, onSearch: () => [] }
  function render () {
    list.replaceChildren(...results.map((r, i) => {
      const li = document.createElement('li')
      li.id = 'search-result-' + i
      li.setAttribute('role', 'option')
      li.setAttribute('aria-selected', String(i === active))
      li.dataset.testid = 'search-result'
      const name = document.createElement('strong')
      name.textContent = r.name
      const what = document.createElement('span')
      what.textContent = r.what
      li.append(name, ' ', what)
      li.addEventListener('click', () => pick(i))
      return li
    }))
    if (results.length) input.setAttribute('aria-activedescendant', 'search-result-' + active)
    else input.removeAttribute('aria-activedescendant')
    status.textContent = results.length ? '' : 'Nothing has that name.'
    list.children[active]?.scrollIntoView({ block: 'nearest' })
  }
  function pick (i) {
    const r = results[i]
    el.close()
    r?.go()
  }
  input.addEventListener('input', () => {
    results = d.onSearch(input.value)
    active = 0
    render()
  })
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      if (!results.length) return
      active = (active + (e.key === 'ArrowDown' ? 1 : -1) + results.length) % results.length
      render()
    } else if (e.key === 'Enter') {
      e.preventDefault()
    }
  })
  // Picked when Enter is released: closing the dialog on its press would
  // hand the rest of that key to the button focused before it opened.
  input.addEventListener('keyup', (e) => { if (e.key === 'Enter') pick(active) })
  el.addEventListener('click', (e) => { if (e.target === el) el.close() })
  d.open = () => {
    if (el.open) return input.select()
    input.value = ''
    results = d.onSearch('')
    active = 0
    render()
    el.showModal()
    input.focus()
  }
  return d
}
