// The scene: what the canvas knows of the nodes and wires the server drew,
// read from their data-* attributes, so that it draws only what is in view.
// Nodes and wires outside the viewport (and a margin) are culled with
// display:none; wires are routed (route.js) when they come into view or an
// end moves. Below FAR zoom the DOM is hidden and the whole stack is drawn
// on one <canvas> as boxes and lines: thousands of elements cannot be
// painted sixty times a second, a few thousand rectangles can. An API's
// routes can be collapsed to a count (kept per stack in localStorage).
import { arrowOf, createGrid, pathOf, route } from './route.js'

// FAR is the zoom below which the stack is drawn simplified.
export const FAR = 0.3
// PAINT_MARGIN is how much beyond the viewport, in viewport sizes on each
// side, is drawn (nodes not culled, wires painted): while the view moves,
// what was drawn is only moved and scaled by the compositor until the view
// leaves it, or is zoomed MAX_SCALE times in or out, and drawn afresh then
// and once the view settles (crisp, culled to the view).
const PAINT_MARGIN = 0.25
const MAX_SCALE = 2
// LANE is the space between wires running side by side.
const LANE = 6

const KIND_COLOURS = { api: '#6b4ce6', function: '#e0720b', table: '#1f7ae0', other: '#8a93a6' }

// Wires are painted on wireCanvas, under the nodes, in screen pixels: a few
// hundred long SVG paths re-rastered at every zoom step cost more than a
// frame. Each wire's <svg> stays, for its pointer target, focus, accessible
// name and tooltip, and shows its own line only when selected, focused,
// hovered or lit (app.css), above the painted one.
export function createScene (editor, viewport, world, overview, wireCanvas) {
  const d = editor.dataset
  // The viewport's size, read when it changes: a read in a frame after
  // writing the DOM would lay the page out again there and then.
  let vw = viewport.clientWidth
  let vh = viewport.clientHeight
  new ResizeObserver(() => {
    vw = viewport.clientWidth
    vh = viewport.clientHeight
  }).observe(viewport)
  const g = { w: +d.nodeWidth, head: +d.headHeight, row: +d.routeHeight, body: +d.bodyHeight }
  const collapseKey = 'switchboard:collapsed:' + d.base
  let collapsed = new Set()
  try { collapsed = new Set(JSON.parse(localStorage.getItem(collapseKey) || '[]')) } catch (_) {}

  let nodes = new Map() // id → node
  let wires = [] // wire
  let grid = createGrid()
  let dirty = true
  let far = false
  let lastView = null
  let frame = 0
  let nearPainted = null // what the wire canvas holds (paintNear)
  let farPainted = null // what the overview holds (paintFar)
  let gridSig = '' // every node's box, which routes were worked out among
  let gridBoxes = new Map() // node ID → its box's key, as of gridSig
  const styles = {} // wire kind → { colour, dash }
  let routed = 0 // how many routes were worked out, ever
  let lanesFor = -1 // the drawn wires and routes the lanes were spread for
  let version = 0 // bumped by every change of the scene, which a painting was drawn from
  const changeListeners = []

  const isCollapsed = (n) => n.routes > 0 && collapsed.has(n.id)
  function height (n) {
    const rows = n.routes === 0 ? 0 : isCollapsed(n) ? 1 : n.routes
    return g.head + g.body + rows * g.row
  }
  function box (n) {
    return { id: n.id, minX: n.x, minY: n.y, maxX: n.x + g.w, maxY: n.y + height(n) }
  }

  function readNode (el) {
    const n = nodes.get(el.dataset.node) || { id: el.dataset.node }
    n.el = el
    n.kind = el.dataset.kind
    n.name = el.dataset.name
    n.x = parseFloat(el.dataset.x) || 0
    n.y = parseFloat(el.dataset.y) || 0
    n.routes = el.querySelectorAll(':scope > .route').length
    n.box = box(n)
    return n
  }
  function readWire (el) {
    const s = el.dataset
    return {
      el,
      id: s.wire ?? s.ref,
      kind: s.kind,
      from: s.fromNode,
      to: s.toNode,
      fx: +s.fx, fy: +s.fy, tx: +s.tx, ty: +s.ty,
      key: '',
      box: null,
      shown: true
    }
  }
  // ends are the wire's two ports in world pixels, and the sides they
  // face (-1 left, +1 right).
  function ends (w) {
    const a = nodes.get(w.from); const b = nodes.get(w.to)
    if (!a || !b) return null
    let fy = w.fy
    // A collapsed API's routes all start at its summary row.
    if (w.kind === 'integration' && isCollapsed(a)) fy = g.head + g.row / 2
    return {
      s: { x: a.x + w.fx, y: a.y + fy },
      ds: w.fx <= 0 ? -1 : 1,
      t: { x: b.x + w.tx, y: b.y + w.ty },
      dt: w.tx <= 0 ? -1 : 1
    }
  }
  const endsKey = (e) => `${e.s.x},${e.s.y},${e.t.x},${e.t.y}`
  function endsBox (e) {
    return { minX: Math.min(e.s.x, e.t.x) - 40, minY: Math.min(e.s.y, e.t.y) - 40, maxX: Math.max(e.s.x, e.t.x) + 40, maxY: Math.max(e.s.y, e.t.y) + 40 }
  }

  function rebuild () {
    dirty = false
    version++
    const fresh = new Map()
    const boxes = new Map()
    grid = createGrid()
    let sig = ''
    for (const el of world.querySelectorAll('#nodes > .node')) {
      const n = readNode(el)
      fresh.set(n.id, n)
      grid.add(n.box)
      decorate(n)
      const key = `${n.box.minX},${n.box.minY},${n.box.maxX},${n.box.maxY}`
      boxes.set(n.id, key)
      sig += `${n.id}:${key};`
    }
    nodes = fresh
    // A change that moved no node (a rename, a new route's wire) keeps the
    // routes already worked out: routing hundreds of wires again is most
    // of an edit's frame on a big stack. So does one that only added
    // nodes (a node from the palette), for the routes none of them crosses.
    let known = new Map()
    let added = []
    if (gridSig !== '' && [...gridBoxes].every(([id, key]) => boxes.get(id) === key)) {
      known = new Map(wires.map((w) => [w.id, w]))
      added = [...boxes.keys()].filter((id) => !gridBoxes.has(id)).map((id) => fresh.get(id).box)
    }
    gridSig = sig
    gridBoxes = boxes
    // Reference wires (data-ref) are routed like the others but are not
    // selectable: they change with a resource's text, not here.
    wires = [...world.querySelectorAll('#wires > svg.wire[data-wire], #wires > svg.wire[data-ref]')].map(readWire)
    wires.forEach((w, i) => { w.n = i + 1 })
    lanesFor = -1
    for (const w of wires) {
      if (styles[w.kind]) continue
      // Colours and dashes are app.css's, read once per kind.
      const line = w.el.querySelector('.wire-line')
      const cs = line && getComputedStyle(line)
      styles[w.kind] = {
        colour: cs?.stroke || '#8a93a6',
        dash: (cs?.strokeDasharray || 'none').split(/[ ,]+/).map(parseFloat).filter((n) => n > 0)
      }
    }
    for (const w of wires) {
      const e = ends(w)
      w.box = e ? endsBox(e) : null
      const was = known.get(w.id)
      if (e && was?.pts && was.key === endsKey(e) && !crossesAny(was.pts, added)) {
        w.key = was.key
        w.pts = was.pts
        w.box = was.box
      }
    }
    for (const n of nodes.values()) n.shown = !n.el.classList.contains('culled')
    for (const w of wires) w.shown = !w.el.classList.contains('culled')
  }
  // crossesAny says whether the polyline pts passes through any of boxes
  // (with a margin: a route keeps its distance from nodes).
  function crossesAny (pts, boxes) {
    if (boxes.length === 0) return false
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]
      const b = pts[i]
      const minX = Math.min(a.x, b.x)
      const maxX = Math.max(a.x, b.x)
      const minY = Math.min(a.y, b.y)
      const maxY = Math.max(a.y, b.y)
      for (const box of boxes) {
        if (maxX >= box.minX - 20 && minX <= box.maxX + 20 && maxY >= box.minY - 20 && minY <= box.maxY + 20) return true
      }
    }
    return false
  }

  // refreshNodes re-reads nodes whose position changed (a drag, a morph)
  // without reading the rest of the scene again.
  function refreshNodes (ids) {
    version++
    gridSig = '' // routes from here on are among boxes rebuild did not read
    gridBoxes = new Map()
    grid = createGrid()
    for (const id of ids) {
      const n = nodes.get(id)
      if (n) readNode(n.el)
    }
    for (const n of nodes.values()) grid.add(n.box)
    for (const w of wires) {
      w.key = '' // another wire's end may now stand in its way
      const e = ends(w)
      if (e && (ids.has(w.from) || ids.has(w.to))) w.box = endsBox(e)
    }
  }

  // decorate gives an API node its collapse toggle and summary row.
  function decorate (n) {
    const el = n.el
    if (n.routes === 0 || el.querySelector(':scope > .route-summary')) {
      el.classList.toggle('routes-collapsed', isCollapsed(n))
      return
    }
    // A span, not a button: a control inside the node's own role=button
    // is a nested control (axe), even hidden and out of the tab order. The
    // pointer clicks it; the keyboard has R on the focused API
    // (navigate.js).
    const toggle = document.createElement('span')
    toggle.className = 'route-toggle'
    toggle.dataset.toggleRoutes = n.id
    toggle.dataset.testid = 'route-toggle'
    toggle.setAttribute('aria-hidden', 'true')
    el.querySelector('.node-head')?.append(toggle)
    const summary = document.createElement('div')
    summary.className = 'route-summary'
    summary.dataset.testid = 'route-summary'
    summary.dataset.toggleRoutes = n.id
    const port = document.createElement('span')
    port.className = 'port port-out port-summary'
    port.setAttribute('aria-hidden', 'true')
    summary.append(document.createElement('span'), port)
    el.querySelector(':scope > .node-body')?.before(summary)
    label(n)
  }
  function label (n) {
    const c = isCollapsed(n)
    const words = `${n.routes} route${n.routes === 1 ? '' : 's'}`
    n.el.classList.toggle('routes-collapsed', c)
    const toggle = n.el.querySelector('.route-toggle')
    if (toggle) {
      toggle.textContent = c ? '▸ ' + n.routes : '▾'
      toggle.title = c ? `Show the ${words} (R)` : 'Collapse the routes to a count (R)'
    }
    const summary = n.el.querySelector('.route-summary > span')
    if (summary) summary.textContent = words
  }
  function toggleRoutes (id) {
    if (collapsed.has(id)) collapsed.delete(id)
    else collapsed.add(id)
    try { localStorage.setItem(collapseKey, JSON.stringify([...collapsed])) } catch (_) {}
    const n = nodes.get(id)
    if (!n) return
    label(n)
    refreshNodes(new Set([id]))
    schedule()
  }

  // drawWire routes w and writes its paths, if an end moved since.
  function drawWire (w) {
    const e = ends(w)
    if (!e) return
    const key = endsKey(e)
    if (w.key === key) return
    w.key = key
    routed++
    const pts = w.pts = route(grid, e.s, e.ds, e.t, e.dt, [w.from, w.to])
    let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity
    for (const p of pts) {
      minX = Math.min(minX, p.x); minY = Math.min(minY, p.y); maxX = Math.max(maxX, p.x); maxY = Math.max(maxY, p.y)
    }
    w.box = { minX, minY, maxX, maxY }
  }

  const meets = (a, b) => a && a.maxX >= b.minX && a.minX <= b.maxX && a.maxY >= b.minY && a.minY <= b.maxY
  function show (item, on) {
    if (item.shown === on) return
    item.shown = on
    item.el.classList.toggle('culled', !on)
  }

  // visibleBox is the world box the view shows; paintBox that and the
  // margin drawn around it.
  function visibleBox (view) {
    return { minX: -view.x / view.z, minY: -view.y / view.z, maxX: (vw - view.x) / view.z, maxY: (vh - view.y) / view.z }
  }
  function paintBox (view) {
    const v = visibleBox(view)
    const mx = (v.maxX - v.minX) * PAINT_MARGIN; const my = (v.maxY - v.minY) * PAINT_MARGIN
    return { minX: v.minX - mx, minY: v.minY - my, maxX: v.maxX + mx, maxY: v.maxY + my }
  }
  // covers tells whether a painting p can still show view, moved and
  // scaled.
  function covers (p, view) {
    if (!p || p.version !== version || p.vw !== vw || p.vh !== vh) return false
    const k = view.z / p.view.z
    const v = visibleBox(view)
    return k >= 1 / MAX_SCALE && k <= MAX_SCALE &&
      p.box.minX <= v.minX && p.box.minY <= v.minY && p.box.maxX >= v.maxX && p.box.maxY >= v.maxY
  }
  // sizeCanvas makes canvas cover the painting p: the viewport and its
  // margin, in screen pixels at the time of painting.
  function sizeCanvas (canvas, p) {
    const dpr = window.devicePixelRatio || 1
    const w = Math.round((vw + 2 * p.mx) * dpr); const h = Math.round((vh + 2 * p.my) * dpr)
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w
      canvas.height = h
      canvas.style.width = w / dpr + 'px'
      canvas.style.height = h / dpr + 'px'
    }
    canvas.style.left = -p.mx + 'px'
    canvas.style.top = -p.my + 'px'
  }
  // place moves and scales canvas, painted as p, to where view shows it:
  // a transform, which the compositor applies without a repaint.
  function place (canvas, p, view) {
    const k = view.z / p.view.z
    const tx = (-p.mx - p.view.x) * k + view.x + p.mx
    const ty = (-p.my - p.view.y) * k + view.y + p.my
    canvas.style.transform = k === 1 && tx === 0 && ty === 0 ? '' : `translate(${tx}px, ${ty}px) scale(${k})`
  }
  function painting (view) {
    const box = paintBox(view)
    return { view: { ...view }, box, version, vw, vh, mx: vw * PAINT_MARGIN, my: vh * PAINT_MARGIN }
  }

  // update draws the scene for view: while the view is moving, it moves
  // what is drawn while that covers the view; otherwise it culls, routes
  // and paints the wires, or paints the overview.
  function update (view, moving = false) {
    cancelAnimationFrame(frame)
    frame = 0
    if (dirty) rebuild()
    lastView = view
    const isFar = view.z < FAR
    if (isFar !== far) {
      far = isFar
      editor.classList.toggle('far', far)
    }
    if (far) return paintFar(view, moving)
    if (moving && covers(nearPainted, view)) return place(wireCanvas, nearPainted, view)
    paintNear(view, moving)
  }

  function paintNear (view, moving) {
    const p = painting(view)
    const seen = p.box
    const drawn = []
    for (const n of nodes.values()) show(n, meets(n.box, seen) || n.el.classList.contains('selected') || n.el === document.activeElement)
    // A wire's <svg> (its pointer target, focus and name) is kept only
    // where the view is: the world takes no pointer events while it moves,
    // and each one costs every hit test.
    const vis = visibleBox(view)
    for (const wire of wires) {
      const selected = wire.el.classList.contains('selected')
      const on = meets(wire.box, seen) || selected
      if (on) drawWire(wire)
      const painted = on && meets(wire.box, seen)
      show(wire, (painted && meets(wire.box, vis)) || selected)
      if (painted && wire.pts) drawn.push(wire)
    }
    // Lanes depend on which wires are drawn and where they run: worked
    // out again only when that changed, not at every frame of a zoom.
    let sig = drawn.length * 31 + routed
    for (const wire of drawn) sig = (sig * 33 + wire.n) % 4294967291
    if (sig !== lanesFor) {
      lanesFor = sig
      nudge(drawn)
    }
    // The <svg> paths (pointer targets, a selected wire's line) follow
    // once the view settles: each is a style and layout of its own.
    if (!moving) for (const wire of drawn) if (wire.shown) writePath(wire)
    nearPainted = p
    sizeCanvas(wireCanvas, p)
    paintWires(p, drawn)
    place(wireCanvas, p, view)
  }

  // nudge spreads wires whose inner segments run along the same line
  // over the same stretch a few pixels apart, as ELK and libavoid do, so
  // each can be followed: their drawn points (drawPts) are the routes'
  // with those segments moved into lanes.
  function nudge (list) {
    const groups = new Map()
    for (const w of list) {
      const p = w.drawPts = w.pts.map((q) => ({ x: q.x, y: q.y }))
      // The first and last segments stay on their ports.
      for (let i = 1; i < p.length - 2; i++) {
        const vertical = p[i].x === p[i + 1].x
        const at = vertical ? p[i].x : p[i].y
        const a = vertical ? p[i].y : p[i].x; const b = vertical ? p[i + 1].y : p[i + 1].x
        const key = (vertical ? 'v' : 'h') + Math.round(at)
        let g = groups.get(key)
        if (!g) groups.set(key, (g = []))
        g.push({ w, i, vertical, lo: Math.min(a, b), hi: Math.max(a, b) })
      }
    }
    for (const g of groups.values()) {
      if (g.length < 2) continue
      g.sort((a, b) => a.lo - b.lo)
      let cluster = [g[0]]
      let hi = g[0].hi
      const spread = () => {
        if (cluster.length < 2) return
        // Ordered by where the wires come from, then where they go.
        cluster.sort((a, b) => (a.w.pts[0].y - b.w.pts[0].y) || (a.w.pts.at(-1).y - b.w.pts.at(-1).y) || (a.w.pts[0].x - b.w.pts[0].x))
        // A crowded channel keeps its lanes within eight lanes' width.
        const lane = Math.min(LANE, 8 * LANE / (cluster.length - 1))
        cluster.forEach((sgm, k) => {
          const d = (k - (cluster.length - 1) / 2) * lane
          const p = sgm.w.drawPts
          if (sgm.vertical) { p[sgm.i].x += d; p[sgm.i + 1].x += d } else { p[sgm.i].y += d; p[sgm.i + 1].y += d }
        })
      }
      for (let k = 1; k < g.length; k++) {
        if (g[k].lo < hi - 1) {
          cluster.push(g[k])
          hi = Math.max(hi, g[k].hi)
        } else {
          spread()
          cluster = [g[k]]
          hi = g[k].hi
        }
      }
      spread()
    }
  }

  // writePath gives the wire's <svg> the drawn route, for its pointer
  // target and its own line (selected, focused, hovered), when it changed.
  function writePath (w) {
    const line = pathOf(w.drawPts)
    // Compared with the document, not a copy: a morph may have put the
    // server's path back.
    let arrow = w.el.querySelector('.wire-arrow')
    if (arrow && w.el.querySelector('.wire-line')?.getAttribute('d') === line) return
    for (const p of w.el.querySelectorAll('.wire-line, .wire-hit')) p.setAttribute('d', line)
    if (!arrow) {
      arrow = document.createElementNS('http://www.w3.org/2000/svg', 'path')
      arrow.setAttribute('class', 'wire-arrow')
      w.el.append(arrow)
    }
    arrow.setAttribute('d', arrowOf(w.drawPts))
  }

  // paintWires paints the wires of list on the wire canvas as painting p
  // shows them.
  function paintWires (p, list) {
    const dpr = window.devicePixelRatio || 1
    const view = p.view
    const ctx = wireCanvas.getContext('2d')
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.clearRect(0, 0, wireCanvas.width, wireCanvas.height)
    ctx.setTransform(dpr * view.z, 0, 0, dpr * view.z, dpr * (view.x + p.mx), dpr * (view.y + p.my))
    ctx.lineWidth = 2.5
    ctx.lineJoin = 'round'
    const byKind = {}
    for (const w of list) (byKind[w.kind] ||= []).push(w)
    for (const [kind, ws] of Object.entries(byKind)) {
      const st = styles[kind] || { colour: '#8a93a6', dash: [] }
      ctx.strokeStyle = st.colour
      ctx.fillStyle = st.colour
      ctx.setLineDash(st.dash)
      ctx.beginPath()
      for (const w of ws) {
        const p = w.drawPts || w.pts
        // The line stops where the arrowhead starts.
        const last = p[p.length - 1]; const prev = p[p.length - 2]
        const len = Math.hypot(last.x - prev.x, last.y - prev.y) || 1
        const cut = Math.min(9, len)
        ctx.moveTo(p[0].x, p[0].y)
        for (let i = 1; i < p.length - 1; i++) ctx.lineTo(p[i].x, p[i].y)
        ctx.lineTo(last.x - (last.x - prev.x) / len * cut, last.y - (last.y - prev.y) / len * cut)
      }
      ctx.stroke()
      ctx.setLineDash([])
      ctx.beginPath()
      for (const w of ws) {
        const p = w.drawPts || w.pts
        const t = p[p.length - 1]; const q = p[p.length - 2]
        const len = Math.hypot(t.x - q.x, t.y - q.y) || 1
        const ux = (t.x - q.x) / len; const uy = (t.y - q.y) / len
        const bx = t.x - ux * 9; const by = t.y - uy * 9
        ctx.moveTo(t.x, t.y)
        ctx.lineTo(bx - uy * 5, by + ux * 5)
        ctx.lineTo(bx + uy * 5, by - ux * 5)
        ctx.closePath()
      }
      ctx.fill()
    }
  }

  // The far drawing is painted on the overview canvas for the view and a
  // margin around it. A pan or zoom moves and scales it, as map tiles do,
  // and it is painted crisp again once the view holds still.
  function paintFar (view, moving) {
    if (moving && covers(farPainted, view)) return place(overview, farPainted, view)
    const sel = n0Selected()
    const selKey = sel ? `${sel.minX},${sel.minY},${sel.maxX},${sel.maxY}` : ''
    if (covers(farPainted, view) && farPainted.view.z === view.z && farPainted.sel === selKey) {
      return place(overview, farPainted, view)
    }
    const p = painting(view)
    p.sel = selKey
    farPainted = p
    sizeCanvas(overview, p)
    paintCache(p.box, view.z, window.devicePixelRatio || 1, overview)
    if (sel) {
      const dpr = window.devicePixelRatio || 1
      const ctx = overview.getContext('2d')
      ctx.setTransform(dpr * view.z, 0, 0, dpr * view.z, dpr * (view.x + p.mx), dpr * (view.y + p.my))
      ctx.strokeStyle = '#1f6feb'
      ctx.lineWidth = 3 / view.z
      ctx.strokeRect(sel.minX - 4 / view.z, sel.minY - 4 / view.z, sel.maxX - sel.minX + 8 / view.z, sel.maxY - sel.minY + 8 / view.z)
    }
    place(overview, p, view)
  }

  // paintCache draws the world box seen at zoom z: wires as straight lines
  // by kind, nodes as boxes in their kind's colour, names and an API's
  // route count where there is room to read them.
  function paintCache (seen, z, dpr, canvas) {
    const ctx = canvas.getContext('2d')
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.clearRect(0, 0, canvas.width, canvas.height)
    ctx.setTransform(dpr * z, 0, 0, dpr * z, -seen.minX * z * dpr, -seen.minY * z * dpr)
    ctx.lineWidth = Math.max(1, 1.2 / z)
    const byKind = {}
    for (const wire of wires) {
      const e = ends(wire)
      if (!e) continue
      if (Math.max(e.s.x, e.t.x) < seen.minX || Math.min(e.s.x, e.t.x) > seen.maxX || Math.max(e.s.y, e.t.y) < seen.minY || Math.min(e.s.y, e.t.y) > seen.maxY) continue
      ;(byKind[wire.kind] ||= []).push(e)
    }
    ctx.globalAlpha = 0.55
    for (const [kind, list] of Object.entries(byKind)) {
      ctx.strokeStyle = styles[kind]?.colour || '#8a93a6'
      ctx.beginPath()
      for (const e of list) { ctx.moveTo(e.s.x, e.s.y); ctx.lineTo(e.t.x, e.t.y) }
      ctx.stroke()
    }
    ctx.globalAlpha = 1
    ctx.lineWidth = Math.max(1, 1.5 / z)
    ctx.font = `${10 / z}px system-ui, sans-serif`
    ctx.textBaseline = 'top'
    // One path per kind: a few calls instead of three per node.
    const byNodeKind = {}
    for (const n of nodes.values()) if (meets(n.box, seen)) (byNodeKind[n.kind] ||= []).push(n)
    ctx.fillStyle = '#fff'
    for (const [kind, list] of Object.entries(byNodeKind)) {
      const colour = KIND_COLOURS[kind] || KIND_COLOURS.other
      ctx.beginPath()
      for (const n of list) ctx.rect(n.box.minX, n.box.minY, g.w, n.box.maxY - n.box.minY)
      ctx.fillStyle = '#fff'
      ctx.fill()
      ctx.strokeStyle = colour
      ctx.stroke()
      ctx.beginPath()
      for (const n of list) ctx.rect(n.box.minX, n.box.minY, g.w, g.head * 0.25)
      ctx.fillStyle = colour
      ctx.fill()
    }
    // Names, and an API's routes as a count, while there is room to read them.
    // The DOM takes over at FAR; from a fifth of it, a node is wide enough
    // for a name in 10 px type.
    if (g.w * z >= 44) {
      ctx.fillStyle = '#1d2330'
      for (const list of Object.values(byNodeKind)) {
        for (const n of list) {
          const x = n.box.minX + 4 / z; const y = n.box.minY + g.head * 0.3; const room = g.w - 8 / z
          ctx.fillText(n.name, x, y, room)
          if (n.routes) ctx.fillText(`${n.routes} route${n.routes === 1 ? '' : 's'}`, x, y + 13 / z, room)
        }
      }
    }
  }
  function n0Selected () {
    const el = world.querySelector('#nodes > .node.selected')
    return el && nodes.get(el.dataset.node)?.box
  }

  function schedule () {
    if (!frame && lastView) frame = requestAnimationFrame(() => update(lastView))
  }

  // Any change to the nodes or wires the server sends (a swap, a morph)
  // makes the scene read them again; a move of a node re-reads it alone.
  const moved = new Set()
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'childList') {
        // What the scene adds itself (a toggle, a summary row, an
        // arrowhead) changes nothing; anything else, including a morph
        // taking those away again, is read afresh.
        if (r.target.closest?.('.route-toggle, .route-summary')) continue
        const ownAdded = [...r.addedNodes].every((x) => x.nodeType === 1 && x.matches('.route-toggle, .route-summary, .wire-arrow'))
        if (!ownAdded || r.removedNodes.length > 0) dirty = true
      } else if (r.target.classList?.contains('node')) {
        moved.add(r.target.dataset.node)
      } else {
        dirty = true
      }
    }
    if (!dirty && moved.size) refreshNodes(moved)
    moved.clear()
    schedule()
    for (const fn of changeListeners) fn()
  }).observe(world, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-x', 'data-y', 'data-fx', 'data-fy', 'data-tx', 'data-ty', 'data-node', 'data-wire'] })

  // A response may rewrite a wire's path in place (a morph): write the
  // drawn routes again.
  document.body.addEventListener('htmx:afterSettle', () => {
    lanesFor = -1
    schedule()
  })

  editor.addEventListener('click', (e) => {
    const t = e.target.closest('[data-toggle-routes]')
    if (t) {
      e.stopPropagation()
      toggleRoutes(t.dataset.toggleRoutes)
    }
  }, true)

  return {
    update,
    far: () => far,
    // bounds is the world box around every node.
    bounds () {
      if (dirty) rebuild()
      if (nodes.size === 0) return null
      let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity
      for (const n of nodes.values()) {
        minX = Math.min(minX, n.box.minX); minY = Math.min(minY, n.box.minY)
        maxX = Math.max(maxX, n.box.maxX); maxY = Math.max(maxY, n.box.maxY)
      }
      return { minX, minY, maxX, maxY }
    },
    // boxOf is a node's box, by node ID.
    boxOf (id) {
      if (dirty) rebuild()
      return nodes.get(id)?.box ?? null
    },
    // nodeAt is the node at a world point.
    nodeAt (p) {
      if (dirty) rebuild()
      let hit = null
      grid.each(p.x, p.y, p.x, p.y, (b) => {
        if (p.x >= b.minX && p.x <= b.maxX && p.y >= b.minY && p.y <= b.maxY) hit = b.id
      })
      return hit
    },
    forEachNode (fn) {
      if (dirty) rebuild()
      for (const n of nodes.values()) fn(n)
    },
    // nodeMoved re-reads one node and reroutes its wires now, during a drag.
    nodeMoved (id) {
      if (dirty) rebuild()
      refreshNodes(new Set([id]))
      for (const w of wires) if (w.from === id || w.to === id) drawWire(w)
      schedule()
    },
    expand (id) {
      if (collapsed.has(id)) toggleRoutes(id)
    },
    toggleRoutes,
    onChange (fn) { changeListeners.push(fn) },
    // version changes with every change of the nodes or wires read.
    version: () => version,
    geometry: g
  }
}
