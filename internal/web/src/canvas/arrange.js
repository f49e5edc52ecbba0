// Arrange: ELK's layered algorithm lays the whole stack out left to right,
// each wire leaving and entering at its own port (ports at the fixed places
// web/geometry.go gives them), and the positions are saved as one revision,
// so one Undo puts everything back. ELK runs in a Web Worker
// (dist/elk-worker.js, a separate asset of 1.6 MB fetched the first time
// Arrange is used, never with the page). A stack whose nodes all stand at
// one spot, as the importer leaves them, is arranged when it is opened.
import ELK from 'elkjs/lib/elk-api.js'
import { showMessage } from '../toast.js'

let elk = null

const LAYOUT = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '140',
  'elk.spacing.nodeNode': '36',
  'elk.spacing.componentComponent': '80',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.padding': '[top=40,left=40,bottom=40,right=40]'
}

// graphOf is the ELK graph of the scene: every node at its full size, with
// a port wherever a wire ends on it.
export function graphOf (scene, wires) {
  const g = scene.geometry
  const children = new Map()
  scene.forEachNode((n) => {
    children.set(n.id, {
      id: n.id,
      width: g.w,
      height: g.head + g.body + n.routes * g.row,
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
      ports: []
    })
  })
  const portOf = (nodeID, x, y) => {
    const node = children.get(nodeID)
    if (!node) return null
    const id = `${nodeID}@${x},${y}`
    if (!node.ports.some((p) => p.id === id)) {
      node.ports.push({ id, x: x <= 0 ? -1 : x, y, width: 1, height: 1, layoutOptions: { 'elk.port.side': x <= 0 ? 'WEST' : 'EAST' } })
    }
    return id
  }
  const edges = []
  for (const el of wires) {
    const d = el.dataset
    const s = portOf(d.fromNode, +d.fx, +d.fy)
    const t = portOf(d.toNode, +d.tx, +d.ty)
    if (!s || !t) continue
    // Layers run left to right: a wire leaving a node's left side for
    // another's right side (a function sending to its API) is laid out
    // as running the other way, so it does not pull the function left.
    const back = +d.fx <= 0 && +d.tx > 0
    edges.push({ id: d.wire, sources: [back ? t : s], targets: [back ? s : t] })
  }
  return { id: 'stack', layoutOptions: LAYOUT, children: [...children.values()], edges }
}

// arrange lays the stack out and saves it.
export async function arrange (c) {
  const { editor, transport } = c
  const button = editor.querySelector('[data-action=arrange]')
  if (button?.disabled) return
  if (button) button.disabled = true
  editor.classList.add('arranging')
  try {
    elk ??= new ELK({ workerUrl: editor.dataset.elkWorker })
    const graph = graphOf(c.scene, document.querySelectorAll('#wires > svg.wire[data-wire]'))
    if (graph.children.length === 0) return
    const laid = await elk.layout(graph)
    const positions = {}
    for (const n of laid.children) positions[n.id] = [Math.round(n.x), Math.round(n.y)]
    await transport.arrange(positions)
    c.view.fit()
  } catch (err) {
    // The save's own failures are the server's to tell (htmx's toast);
    // this is the layout failing, or its worker not loading.
    showMessage(`The stack could not be arranged: ${err?.message || err}`, 'error')
  } finally {
    if (button) button.disabled = false
    editor.classList.remove('arranging')
  }
}

// arrangeIfUnplaced arranges a stack of several nodes that all stand at one
// spot: one nobody has laid out yet, such as a fresh import.
export function arrangeIfUnplaced (c) {
  const spots = new Set()
  let count = 0
  c.scene.forEachNode((n) => { spots.add(n.x + ',' + n.y); count++ })
  if (count > 1 && spots.size === 1) arrange(c)
}
