// Many at once: the gestures that select several nodes (shift-drag on the
// background draws a box) and move them together, and the keys and menu
// actions that copy, paste, duplicate and select all. The server makes each
// change one revision; the selection itself lives in selection.js.
import { pos } from './geometry.js'

const DRAG_THRESHOLD = 4
const pastThreshold = (dx, dy) => Math.hypot(dx, dy) >= DRAG_THRESHOLD
const CLIPBOARD_KEY = 'switchboard:clipboard'

// groupGesture moves every selected node with the one dragged.
export const groupGesture = {
  start (c, e, nodes, node) {
    return { kind: 'group', node, nodes, starts: nodes.map(pos), sx: e.clientX, sy: e.clientY, moved: false }
  },
  move (c, g, e, dx, dy) {
    if (!g.moved && !pastThreshold(dx, dy)) return
    g.moved = true
    const z = c.view.get().z
    g.nodes.forEach((n, i) => {
      n.classList.add('dragging')
      c.moveNode(n, g.starts[i].x + dx / z, g.starts[i].y + dy / z)
    })
  },
  end (c, g) {
    g.nodes.forEach((n) => n.classList.remove('dragging'))
    // A click without a drag selects the one node, as elsewhere.
    if (g.moved) c.transport.saveMoves(g.nodes)
    else c.selection.select(g.node.id)
  }
}

// boxGesture selects the nodes a rectangle drawn on the background touches.
export const boxGesture = {
  start (c, e) {
    const box = document.createElement('div')
    box.className = 'select-box'
    box.dataset.testid = 'select-box'
    box.hidden = true
    c.viewport.append(box)
    return { kind: 'box', box, sx: e.clientX, sy: e.clientY, moved: false }
  },
  move (c, g, e, dx, dy) {
    if (!g.moved && !pastThreshold(dx, dy)) return
    g.moved = true
    const r = c.viewport.getBoundingClientRect()
    g.box.hidden = false
    g.box.style.left = Math.min(g.sx, e.clientX) - r.left + 'px'
    g.box.style.top = Math.min(g.sy, e.clientY) - r.top + 'px'
    g.box.style.width = Math.abs(dx) + 'px'
    g.box.style.height = Math.abs(dy) + 'px'
  },
  end (c, g, e) {
    g.box.remove()
    if (!g.moved) return c.selection.clear()
    const a = c.view.toWorld(Math.min(g.sx, e.clientX), Math.min(g.sy, e.clientY))
    const b = c.view.toWorld(Math.max(g.sx, e.clientX), Math.max(g.sy, e.clientY))
    const hit = [...document.querySelectorAll('#nodes .node')].filter((n) => {
      const p = pos(n)
      return p.x < b.x && p.x + n.offsetWidth > a.x && p.y < b.y && p.y + n.offsetHeight > a.y
    })
    c.selection.selectMany(hit.map((n) => n.id), { focus: true })
    c.announce(hit.length === 1 ? `Selected ${hit[0].dataset.name}.` : `Selected ${hit.length} resources.`)
  }
}

// createClipboard copies the selection as a fragment of the stack document
// to the system clipboard, and to this browser's storage for when the
// system clipboard cannot be read; paste sends what it finds to the server,
// which decides what of it becomes part of the stack.
export function createClipboard (c) {
  const { selection, transport } = c
  async function copy () {
    const nodes = selection.nodes()
    if (nodes.length === 0) return c.announce('Select a node to copy.')
    let fragment
    try {
      fragment = await transport.fragment(nodes)
    } catch (_) {
      return c.message('The selection could not be copied; reload the page.', 'error')
    }
    try { localStorage.setItem(CLIPBOARD_KEY, fragment) } catch (_) {}
    try { await navigator.clipboard.writeText(fragment) } catch (_) { /* storage has it */ }
    c.announce(nodes.length === 1 ? `Copied ${nodes[0].dataset.name}.` : `Copied ${nodes.length} resources.`)
  }
  async function paste (at) {
    let fragment = ''
    try {
      const text = await navigator.clipboard.readText()
      if (text.includes('"switchboard.fragment"')) fragment = text
    } catch (_) { /* not allowed: storage */ }
    if (!fragment) {
      try { fragment = localStorage.getItem(CLIPBOARD_KEY) || '' } catch (_) {}
    }
    if (!fragment) return c.announce('Nothing to paste: copy resources on a canvas first.')
    return transport.paste(fragment, at)
  }
  function duplicate () {
    const nodes = selection.nodes()
    if (nodes.length === 0) return c.announce('Select a node to duplicate.')
    return transport.duplicate(nodes)
  }
  function selectAll () {
    const ids = [...document.querySelectorAll('#nodes .node')].map((n) => n.id)
    selection.selectMany(ids, { focus: true })
    c.announce(`Selected ${ids.length} resources.`)
  }
  return { copy, paste, duplicate, selectAll }
}
