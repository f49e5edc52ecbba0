// Wires as the script draws them: existing wires following a dragged node,
// redrawn as the server would, and the draft wire of a wire drag.
import { bezier, pos } from './geometry.js'

export function createWires (draft) {
  const nodeEl = (id) => document.getElementById('node-' + id)
  const draftPath = () => draft.querySelector('path')
  return {
    redraw (nodeID) {
      const id = CSS.escape(nodeID) // an ID is data, never selector syntax
      document.querySelectorAll(`#wires svg[data-from-node="${id}"], #wires svg[data-to-node="${id}"]`).forEach((svg) => {
        const from = nodeEl(svg.dataset.fromNode)
        const to = nodeEl(svg.dataset.toNode)
        if (!from || !to) return
        const a = pos(from); const b = pos(to)
        const d = bezier(a.x + +svg.dataset.fx, a.y + +svg.dataset.fy, b.x + +svg.dataset.tx, b.y + +svg.dataset.ty)
        svg.querySelectorAll('path').forEach((p) => p.setAttribute('d', d))
      })
    },
    showDraft (start) {
      draft.toggleAttribute('hidden', false)
      draftPath().setAttribute('d', bezier(start.x, start.y, start.x, start.y))
    },
    drawDraft (start, end) {
      draftPath().setAttribute('d', bezier(start.x, start.y, end.x, end.y))
    },
    hideDraft () { draft.toggleAttribute('hidden', true) }
  }
}
