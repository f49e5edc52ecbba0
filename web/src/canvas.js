// The canvas island (STYLE.md §6): the server renders every node and wire
// and decides every change; this module turns pointer and keyboard gestures
// into requests, moves pixels while a gesture lasts, and waits for the swap.
// It knows no routes: every URL comes from a data-* attribute.

const ZOOM_MIN = 0.2
const ZOOM_MAX = 2.5
const NUDGE = 10
const DRAG_THRESHOLD = 4

// bezier is web.BezierPath: M x1 y1 C x1+d y1, x2-d y2, x2 y2, d=|x2-x1|/2.
export function bezier (x1, y1, x2, y2) {
  const r = (n) => Math.round(n * 10) / 10
  const d = Math.abs(x2 - x1) * 0.5
  return `M ${r(x1)} ${r(y1)} C ${r(x1 + d)} ${r(y1)}, ${r(x2 - d)} ${r(y2)}, ${r(x2)} ${r(y2)}`
}

export function initCanvas (htmx) {
  const editor = document.getElementById('editor')
  initQueue(htmx, editor)
  if (!editor) return
  const viewport = document.getElementById('viewport')
  const world = document.getElementById('world')
  const draft = document.getElementById('draft-wire')
  const viewKey = 'switchboard:view:' + editor.dataset.base
  let view = { x: 40, y: 40, z: 1 }
  let selected = null // element id: node-… or wire-…
  let gesture = null
  let suppressClick = false
  let nudgeTimer = null

  const nodeEl = (id) => document.getElementById('node-' + id)
  const pos = (el) => ({ x: parseFloat(el.dataset.x) || 0, y: parseFloat(el.dataset.y) || 0 })

  // Positions travel as data-x/data-y and are applied through the CSSOM,
  // which the CSP allows, unlike style attributes.
  function place (el) {
    const p = pos(el)
    el.style.left = p.x + 'px'
    el.style.top = p.y + 'px'
  }
  function layout (root) {
    root.querySelectorAll?.('.node').forEach(place)
    if (root.classList?.contains('node')) place(root)
    applySelection()
  }

  function applyView () {
    world.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.z})`
    const label = editor.querySelector('[data-zoom]')
    if (label) label.textContent = Math.round(view.z * 100) + '%'
    try { sessionStorage.setItem(viewKey, JSON.stringify(view)) } catch (_) {}
  }
  function toWorld (clientX, clientY) {
    const r = viewport.getBoundingClientRect()
    return { x: (clientX - r.left - view.x) / view.z, y: (clientY - r.top - view.y) / view.z }
  }
  function zoomAt (z, clientX, clientY) {
    z = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, z))
    const w = toWorld(clientX, clientY)
    const r = viewport.getBoundingClientRect()
    view = { x: clientX - r.left - w.x * z, y: clientY - r.top - w.y * z, z }
    applyView()
  }
  function zoomBy (factor) {
    const r = viewport.getBoundingClientRect()
    zoomAt(view.z * factor, r.left + r.width / 2, r.top + r.height / 2)
  }
  function fit () {
    const nodes = [...document.querySelectorAll('#nodes .node')]
    const r = viewport.getBoundingClientRect()
    if (nodes.length === 0) {
      view = { x: 40, y: 40, z: 1 }
      applyView()
      return
    }
    let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity
    for (const n of nodes) {
      const p = pos(n)
      minX = Math.min(minX, p.x); minY = Math.min(minY, p.y)
      maxX = Math.max(maxX, p.x + n.offsetWidth); maxY = Math.max(maxY, p.y + n.offsetHeight)
    }
    const pad = 48
    const z = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, Math.min((r.width - 2 * pad) / (maxX - minX), (r.height - 2 * pad) / (maxY - minY), 1.25)))
    view = { x: (r.width - (maxX - minX) * z) / 2 - minX * z, y: (r.height - (maxY - minY) * z) / 2 - minY * z, z }
    applyView()
  }

  // Wires follow their nodes while dragging, redrawn as the server would.
  function redrawWires (nodeID) {
    const id = CSS.escape(nodeID) // an ID is data, never selector syntax
    document.querySelectorAll(`#wires svg[data-from-node="${id}"], #wires svg[data-to-node="${id}"]`).forEach((svg) => {
      const from = nodeEl(svg.dataset.fromNode)
      const to = nodeEl(svg.dataset.toNode)
      if (!from || !to) return
      const a = pos(from); const b = pos(to)
      const d = bezier(a.x + +svg.dataset.fx, a.y + +svg.dataset.fy, b.x + +svg.dataset.tx, b.y + +svg.dataset.ty)
      svg.querySelectorAll('path').forEach((p) => p.setAttribute('d', d))
    })
  }
  function moveNode (el, x, y) {
    el.dataset.x = String(Math.round(x))
    el.dataset.y = String(Math.round(y))
    place(el)
    redrawWires(el.dataset.node)
  }
  function saveMove (el) {
    el.classList.add('saving')
    return htmx.ajax('POST', el.dataset.moveUrl, { source: el, values: { x: el.dataset.x, y: el.dataset.y }, swap: 'none' })
      .finally(() => el.classList.remove('saving'))
  }

  // Selection lives here, by element id, and is reapplied after each swap.
  function applySelection () {
    document.querySelectorAll('.selected').forEach((el) => { if (el.id !== selected) el.classList.remove('selected') })
    const el = selected && document.getElementById(selected)
    if (el) el.classList.add('selected')
  }
  function showTab (id) {
    editor.querySelectorAll('[data-tab]').forEach((t) => t.setAttribute('aria-selected', String(t.dataset.tab === id)))
    editor.querySelectorAll('.tab-panel').forEach((p) => { p.hidden = p.id !== id })
  }
  function select (id, { load = true, focus = true } = {}) {
    selected = id
    applySelection()
    const el = id && document.getElementById(id)
    if (!el) {
      selected = null
      return
    }
    if (focus) el.focus({ preventScroll: true })
    if (load) {
      showTab('panel')
      htmx.ajax('GET', el.dataset.url, { target: '#panel', swap: 'innerHTML' })
    }
  }
  function clearSelection () {
    selected = null
    applySelection()
  }

  function removeSelected () {
    const el = selected && document.getElementById(selected)
    if (!el) return
    const what = el.classList.contains('node') ? `${el.dataset.name} and its wires` : 'this wire'
    if (!window.confirm(`Delete ${what}?`)) return
    htmx.ajax('DELETE', el.dataset.url, { source: el, target: '#panel', swap: 'innerHTML' })
  }

  // Pointer gestures: palette drops, node drags, wire drags and panning.
  editor.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return
    const item = e.target.closest('.palette-item')
    if (item) {
      gesture = { kind: 'palette', item, sx: e.clientX, sy: e.clientY, ghost: null }
      return
    }
    if (!viewport.contains(e.target)) return
    const port = e.target.closest('[data-port]')
    if (port) {
      e.preventDefault()
      const r = port.getBoundingClientRect()
      const start = toWorld(r.left + r.width / 2, r.top + r.height / 2)
      gesture = { kind: 'wire', from: port.dataset.port, start }
      draft.toggleAttribute('hidden', false)
      draft.querySelector('path').setAttribute('d', bezier(start.x, start.y, start.x, start.y))
      return
    }
    const node = e.target.closest('.node')
    if (node) {
      e.preventDefault()
      gesture = { kind: 'node', node, sx: e.clientX, sy: e.clientY, start: pos(node), moved: false }
      node.setPointerCapture?.(e.pointerId)
      return
    }
    const wire = e.target.closest('svg.wire[data-wire]')
    if (wire) {
      select(wire.id)
      return
    }
    gesture = { kind: 'pan', sx: e.clientX, sy: e.clientY, start: { ...view }, moved: false }
    viewport.classList.add('panning')
  })

  document.addEventListener('pointermove', (e) => {
    if (!gesture) return
    const dx = e.clientX - gesture.sx
    const dy = e.clientY - gesture.sy
    switch (gesture.kind) {
      case 'palette':
        if (!gesture.ghost && Math.hypot(dx, dy) < DRAG_THRESHOLD) return
        if (!gesture.ghost) {
          gesture.ghost = gesture.item.cloneNode(true)
          gesture.ghost.classList.add('palette-ghost')
          gesture.ghost.removeAttribute('hx-post')
          document.body.append(gesture.ghost)
        }
        gesture.ghost.style.left = e.clientX + 'px'
        gesture.ghost.style.top = e.clientY + 'px'
        break
      case 'node':
        if (!gesture.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return
        gesture.moved = true
        gesture.node.classList.add('dragging')
        moveNode(gesture.node, gesture.start.x + dx / view.z, gesture.start.y + dy / view.z)
        break
      case 'wire': {
        const p = toWorld(e.clientX, e.clientY)
        draft.querySelector('path').setAttribute('d', bezier(gesture.start.x, gesture.start.y, p.x, p.y))
        document.querySelectorAll('.node.drop-target').forEach((n) => n.classList.remove('drop-target'))
        document.elementFromPoint(e.clientX, e.clientY)?.closest('.node')?.classList.add('drop-target')
        break
      }
      case 'pan':
        if (!gesture.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return
        gesture.moved = true
        view = { ...gesture.start, x: gesture.start.x + dx, y: gesture.start.y + dy }
        applyView()
        break
    }
  })

  document.addEventListener('pointerup', (e) => {
    const g = gesture
    gesture = null
    if (!g) return
    switch (g.kind) {
      case 'palette': {
        if (!g.ghost) return // a click: htmx posts it, at a free spot
        g.ghost.remove()
        suppressClick = true
        setTimeout(() => { suppressClick = false }, 0)
        const over = document.elementFromPoint(e.clientX, e.clientY)
        if (!over || !viewport.contains(over)) return
        const p = toWorld(e.clientX, e.clientY)
        htmx.ajax('POST', editor.dataset.createUrl, {
          source: g.item,
          values: { kind: g.item.dataset.kind, x: Math.round(p.x - 110), y: Math.round(p.y - 24) },
          swap: 'none'
        })
        break
      }
      case 'node':
        g.node.classList.remove('dragging')
        if (g.moved) {
          saveMove(g.node)
        } else {
          select(g.node.id)
        }
        break
      case 'wire': {
        document.querySelectorAll('.node.drop-target').forEach((n) => n.classList.remove('drop-target'))
        const target = document.elementFromPoint(e.clientX, e.clientY)?.closest('.node')
        if (!target) {
          draft.toggleAttribute('hidden', true)
          return
        }
        htmx.ajax('POST', editor.dataset.connectUrl, { source: editor, values: { from: g.from, to: target.dataset.node }, swap: 'none' })
          .finally(() => { draft.toggleAttribute('hidden', true) })
        break
      }
      case 'pan':
        viewport.classList.remove('panning')
        if (!g.moved) {
          clearSelection()
        }
        break
    }
  })

  // A drag that ends on the palette button it started from must not also
  // click it.
  document.addEventListener('click', (e) => {
    if (suppressClick && e.target.closest('.palette-item')) {
      e.preventDefault()
      e.stopPropagation()
    }
  }, true)

  // Panning is the world's transform; the viewport itself never scrolls.
  // Focusing a node (htmx restores focus after a swap) would otherwise
  // scroll it, shifting everything under the pointer.
  viewport.addEventListener('scroll', () => {
    viewport.scrollLeft = 0
    viewport.scrollTop = 0
  })

  viewport.addEventListener('wheel', (e) => {
    e.preventDefault()
    if (e.ctrlKey || !e.shiftKey) {
      zoomAt(view.z * Math.exp(-e.deltaY * 0.0015), e.clientX, e.clientY)
    } else {
      view = { ...view, x: view.x - e.deltaY }
      applyView()
    }
  }, { passive: false })

  editor.addEventListener('click', (e) => {
    const action = e.target.closest('[data-action]')?.dataset.action
    switch (action) {
      case 'undo': return undo()
      case 'redo': return redo()
      case 'zoom-in': return zoomBy(1.2)
      case 'zoom-out': return zoomBy(1 / 1.2)
      case 'fit': return fit()
    }
    const tab = e.target.closest('[data-tab]')
    if (tab) return showTab(tab.dataset.tab)
    const sel = e.target.closest('[data-select]')
    if (sel) select(sel.dataset.select)
  })

  function undo () { htmx.ajax('POST', editor.dataset.undoUrl, { source: editor, swap: 'none' }) }
  function redo () { htmx.ajax('POST', editor.dataset.redoUrl, { source: editor, swap: 'none' }) }

  document.addEventListener('keydown', (e) => {
    const typing = e.target.closest?.('input, textarea, select, [contenteditable]')
    const mod = e.ctrlKey || e.metaKey
    if (mod && (e.key === 'z' || e.key === 'Z') && !typing) {
      e.preventDefault()
      return e.shiftKey ? redo() : undo()
    }
    if (mod && e.key === 'y' && !typing) {
      e.preventDefault()
      return redo()
    }
    if (typing) return
    const focusedItem = e.target.closest?.('.node, svg.wire[data-wire]')
    if ((e.key === 'Enter' || e.key === ' ') && focusedItem) {
      e.preventDefault()
      return select(focusedItem.id)
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && selected) {
      e.preventDefault()
      return removeSelected()
    }
    if (e.key === 'Escape') return clearSelection()
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }
    const node = selected?.startsWith('node-') && document.getElementById(selected)
    if (arrows[e.key] && node) {
      e.preventDefault()
      const step = e.shiftKey ? 1 : NUDGE
      const p = pos(node)
      moveNode(node, p.x + arrows[e.key][0] * step, p.y + arrows[e.key][1] * step)
      clearTimeout(nudgeTimer)
      nudgeTimer = setTimeout(() => saveMove(node), 350)
    }
  })

  // What the server says happened.
  const body = document.body
  // HX-Trigger events fire before the swap that brings the new element,
  // so its selection waits for the element to arrive.
  let pending = null
  const selectPending = () => {
    if (pending && document.getElementById(pending.id)) {
      const p = pending
      pending = null
      select(p.id, p.opts)
    }
  }
  body.addEventListener('nodeCreated', (e) => {
    showTab('panel')
    pending = { id: 'node-' + e.detail.id, opts: { load: false } }
    setTimeout(selectPending, 0)
  })
  body.addEventListener('wireCreated', (e) => {
    showTab('panel')
    pending = { id: 'wire-' + e.detail.id, opts: { load: false, focus: false } }
    setTimeout(selectPending, 0)
  })
  body.addEventListener('htmx:afterSettle', selectPending)
  body.addEventListener('nodeDeleted', () => { selected = null })
  body.addEventListener('wireDeleted', () => { selected = null })
  body.addEventListener('stackReloaded', () => {
    if (selected && document.getElementById(selected)) select(selected, { focus: false })
    else selected = null
  })

  htmx.onLoad(layout)
  try {
    const saved = JSON.parse(sessionStorage.getItem(viewKey) || 'null')
    if (saved && Number.isFinite(saved.z)) {
      view = saved
      applyView()
    } else {
      requestAnimationFrame(fit)
    }
  } catch (_) {
    requestAnimationFrame(fit)
  }
  layout(editor)
  editor.classList.add('ready')
}

// initQueue sends the page's edits one at a time, each carrying the revision
// the previous one produced: a second drag finished before the first is
// saved must not look like an edit from a stale tab.
function initQueue (htmx, editor) {
  let inflight = 0
  const waiting = []
  const isEdit = (verb) => verb && verb.toLowerCase() !== 'get'
  const next = () => {
    if (inflight > 0) return
    const issue = waiting.shift()
    if (!issue) return
    issue(false)
    // A request declined at its confirm question never starts.
    setTimeout(() => { if (inflight === 0) next() }, 0)
  }
  document.body.addEventListener('htmx:confirm', (e) => {
    if (!isEdit(e.detail.verb)) return
    if (inflight === 0 && waiting.length === 0) return
    e.preventDefault()
    waiting.push(e.detail.issueRequest)
  })
  document.body.addEventListener('htmx:beforeRequest', (e) => {
    if (isEdit(e.detail.requestConfig?.verb)) inflight++
  })
  document.body.addEventListener('htmx:configRequest', (e) => {
    if (editor && isEdit(e.detail.verb)) e.detail.headers['X-Base-Revision'] = editor.dataset.revision
  })
  document.body.addEventListener('htmx:afterRequest', (e) => {
    if (isEdit(e.detail.requestConfig?.verb)) {
      // Only edits answer with the canvas they produced, so only they may
      // move the revision this page edits from.
      const rev = e.detail.xhr?.getResponseHeader('X-Switchboard-Revision')
      if (rev && editor) editor.dataset.revision = rev
      inflight = Math.max(0, inflight - 1)
      next()
    }
  })
}
