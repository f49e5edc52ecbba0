// Wires as the script draws them: existing wires following a dragged node
// (routed by the scene), and the draft wire of a wire drag.
import { bezier } from './geometry.js'

export function createWires (draft, scene) {
  const draftPath = () => draft.querySelector('path')
  return {
    redraw (nodeID) { scene.nodeMoved(nodeID) },
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
