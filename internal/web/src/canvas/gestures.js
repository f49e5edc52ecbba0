// Pointer gestures: palette drops, node drags, wire drags and panning. Pixels
// move while a gesture lasts; its end is a request, and the swap decides.
import { dropOrigin, pos } from './geometry.js'
import { boxGesture, groupGesture } from './multiselect.js'

const DRAG_THRESHOLD = 4

const pastThreshold = (dx, dy) => Math.hypot(dx, dy) >= DRAG_THRESHOLD
const nodeAt = (e) => document.elementFromPoint(e.clientX, e.clientY)?.closest('.node')

// Each kind of gesture: what a pointer move does while it lasts (dx, dy
// from where it started, in screen pixels), and what its end does. c is the
// canvas (see initCanvas) with the gestures' click guard.
const kinds = {
  palette: {
    move (c, g, e, dx, dy) {
      if (!g.ghost && !pastThreshold(dx, dy)) return
      if (!g.ghost) {
        g.ghost = g.item.cloneNode(true)
        g.ghost.classList.add('palette-ghost')
        g.ghost.removeAttribute('hx-post')
        document.body.append(g.ghost)
      }
      g.ghost.style.left = e.clientX + 'px'
      g.ghost.style.top = e.clientY + 'px'
    },
    end (c, g, e) {
      if (!g.ghost) return // a click: htmx posts it, at a free spot
      g.ghost.remove()
      c.suppressClick()
      const over = document.elementFromPoint(e.clientX, e.clientY)
      if (!over || !c.viewport.contains(over)) return
      c.transport.create(g.item, dropOrigin(c.geometry, c.view.toWorld(e.clientX, e.clientY)))
    }
  },
  node: {
    move (c, g, e, dx, dy) {
      if (!g.moved && !pastThreshold(dx, dy)) return
      g.moved = true
      g.node.classList.add('dragging')
      const z = c.view.get().z
      c.moveNode(g.node, g.start.x + dx / z, g.start.y + dy / z)
    },
    end (c, g) {
      g.node.classList.remove('dragging')
      if (g.moved) {
        c.transport.saveMove(g.node)
      } else {
        c.selection.select(g.node.id)
      }
    }
  },
  wire: {
    move (c, g, e) {
      c.wires.drawDraft(g.start, c.view.toWorld(e.clientX, e.clientY))
      c.wireTargets.over(nodeAt(e))
    },
    end (c, g, e) {
      c.wireTargets.hide()
      const target = nodeAt(e)
      if (!target) return c.wires.hideDraft()
      c.transport.connect(g.from, target.dataset.node).finally(c.wires.hideDraft)
    }
  },
  group: groupGesture,
  box: boxGesture,
  pan: {
    move (c, g, e, dx, dy) {
      if (!g.moved && !pastThreshold(dx, dy)) return
      g.moved = true
      c.view.set({ ...g.start, x: g.start.x + dx, y: g.start.y + dy })
    },
    end (c, g) {
      c.viewport.classList.remove('panning')
      if (!g.moved) c.selection.clear()
    }
  }
}

// startGesture is the gesture a primary-button press on e.target begins,
// or null when it begins none (a press on a wire selects it at once).
function startGesture (c, e) {
  const item = e.target.closest('.palette-item')
  if (item) return { kind: 'palette', item, sx: e.clientX, sy: e.clientY, ghost: null }
  if (!c.viewport.contains(e.target)) return null
  // A button or the routes toggle on a node is a click, not a drag.
  if (e.target.closest('.node button, .node [data-toggle-routes]')) return null
  const port = e.target.closest('[data-port]')
  if (port) {
    e.preventDefault()
    const r = port.getBoundingClientRect()
    const start = c.view.toWorld(r.left + r.width / 2, r.top + r.height / 2)
    c.wires.showDraft(start)
    c.wireTargets.show(port)
    return { kind: 'wire', from: port.dataset.port, start }
  }
  const node = e.target.closest('.node')
  const wire = !node && e.target.closest('svg.wire[data-wire]')
  if ((node || wire) && e.shiftKey) {
    e.preventDefault()
    c.selection.toggle((node || wire).id)
    return null
  }
  if (node) {
    e.preventDefault()
    node.setPointerCapture?.(e.pointerId)
    const group = c.selection.has(node.id) && c.selection.nodes()
    if (group && group.length > 1) return groupGesture.start(c, e, group, node)
    return { kind: 'node', node, sx: e.clientX, sy: e.clientY, start: pos(node), moved: false }
  }
  if (wire) {
    c.selection.select(wire.id)
    return null
  }
  if (e.shiftKey) return boxGesture.start(c, e)
  c.viewport.classList.add('panning')
  return { kind: 'pan', sx: e.clientX, sy: e.clientY, start: { ...c.view.get() }, moved: false }
}

// initGestures listens for gestures on the canvas c (see initCanvas).
export function initGestures (c) {
  let gesture = null
  let clickSuppressed = false
  // A drag that ends on the palette button it started from must not also
  // click it.
  const gc = {
    ...c,
    suppressClick () {
      clickSuppressed = true
      setTimeout(() => { clickSuppressed = false }, 0)
    }
  }
  c.editor.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return
    gesture = startGesture(gc, e) ?? gesture
  })
  document.addEventListener('pointermove', (e) => {
    if (gesture) kinds[gesture.kind].move(gc, gesture, e, e.clientX - gesture.sx, e.clientY - gesture.sy)
  })
  document.addEventListener('pointerup', (e) => {
    const g = gesture
    gesture = null
    if (g) kinds[g.kind].end(gc, g, e)
  })
  document.addEventListener('click', (e) => {
    if (clickSuppressed && e.target.closest('.palette-item')) {
      e.preventDefault()
      e.stopPropagation()
    }
  }, true)
}
