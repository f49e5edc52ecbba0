// Pointer gestures: palette drops, node drags, wire drags and panning. Pixels
// move while a gesture lasts; its end is a request, and the swap decides.
import { dropOrigin, pos } from './geometry.js'

const DRAG_THRESHOLD = 4

// initGestures listens for gestures on the canvas c (see initCanvas).
export function initGestures (c) {
  const { editor, viewport, view, wires, selection, transport, geometry, moveNode } = c
  let gesture = null
  let suppressClick = false
  const clearDropTargets = () => document.querySelectorAll('.node.drop-target').forEach((n) => n.classList.remove('drop-target'))

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
      const start = view.toWorld(r.left + r.width / 2, r.top + r.height / 2)
      gesture = { kind: 'wire', from: port.dataset.port, start }
      wires.showDraft(start)
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
      selection.select(wire.id)
      return
    }
    gesture = { kind: 'pan', sx: e.clientX, sy: e.clientY, start: { ...view.get() }, moved: false }
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
      case 'node': {
        if (!gesture.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return
        gesture.moved = true
        gesture.node.classList.add('dragging')
        const z = view.get().z
        moveNode(gesture.node, gesture.start.x + dx / z, gesture.start.y + dy / z)
        break
      }
      case 'wire':
        wires.drawDraft(gesture.start, view.toWorld(e.clientX, e.clientY))
        clearDropTargets()
        document.elementFromPoint(e.clientX, e.clientY)?.closest('.node')?.classList.add('drop-target')
        break
      case 'pan':
        if (!gesture.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return
        gesture.moved = true
        view.set({ ...gesture.start, x: gesture.start.x + dx, y: gesture.start.y + dy })
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
        transport.create(g.item, dropOrigin(geometry, view.toWorld(e.clientX, e.clientY)))
        break
      }
      case 'node':
        g.node.classList.remove('dragging')
        if (g.moved) {
          transport.saveMove(g.node)
        } else {
          selection.select(g.node.id)
        }
        break
      case 'wire': {
        clearDropTargets()
        const target = document.elementFromPoint(e.clientX, e.clientY)?.closest('.node')
        if (!target) {
          wires.hideDraft()
          return
        }
        transport.connect(g.from, target.dataset.node).finally(wires.hideDraft)
        break
      }
      case 'pan':
        viewport.classList.remove('panning')
        if (!g.moved) {
          selection.clear()
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
}
