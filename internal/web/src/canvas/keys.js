// Keyboard: undo and redo anywhere outside a field; on the canvas, Enter or
// Space selects, Delete removes, Escape clears and the arrows nudge.
import { pos } from './geometry.js'

const NUDGE = 10
const NUDGE_SAVE_DELAY = 350
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }

// initKeys listens for keys on the canvas c (see initCanvas).
export function initKeys (c) {
  const { selection, transport, moveNode } = c
  let nudgeTimer = null
  document.addEventListener('keydown', (e) => {
    const typing = e.target.closest?.('input, textarea, select, [contenteditable]')
    const mod = e.ctrlKey || e.metaKey
    if (mod && (e.key === 'z' || e.key === 'Z') && !typing) {
      e.preventDefault()
      return e.shiftKey ? transport.redo() : transport.undo()
    }
    if (mod && e.key === 'y' && !typing) {
      e.preventDefault()
      return transport.redo()
    }
    if (typing) return
    const focusedItem = e.target.closest?.('.node, svg.wire[data-wire]')
    if ((e.key === 'Enter' || e.key === ' ') && focusedItem) {
      e.preventDefault()
      return selection.select(focusedItem.id)
    }
    const selected = selection.get()
    if ((e.key === 'Delete' || e.key === 'Backspace') && selected) {
      e.preventDefault()
      return selection.removeSelected()
    }
    if (e.key === 'Escape') return selection.clear()
    const node = selected?.startsWith('node-') && document.getElementById(selected)
    if (ARROWS[e.key] && node) {
      e.preventDefault()
      const step = e.shiftKey ? 1 : NUDGE
      // Every selected node moves; many are saved as one revision.
      const nodes = selection.nodes().length > 1 ? selection.nodes() : [node]
      for (const n of nodes) {
        const p = pos(n)
        moveNode(n, p.x + ARROWS[e.key][0] * step, p.y + ARROWS[e.key][1] * step)
      }
      clearTimeout(nudgeTimer)
      nudgeTimer = setTimeout(() => nodes.length > 1 ? transport.saveMoves(nodes) : transport.saveMove(node), NUDGE_SAVE_DELAY)
    }
  })
}
