// Orthogonal wire routing around nodes. A wire leaves its port straight out
// of the node's side, runs in horizontal and vertical segments, and enters
// the target port from outside with an arrowhead. Of the candidate routes
// (a vertical in each gap between the ends, or a horizontal corridor above,
// between or below the nodes when the target lies behind the source), the
// one crossing the fewest nodes wins, then the shortest.
//
// Why not a library: ELK routes orthogonally only the nodes its own layered
// layout places (Arrange uses it, and its layers leave these gaps free), and
// cannot route around nodes a user dragged; libavoid-js can, but it is a
// WebAssembly module, which the CSP would have to allow ('wasm-unsafe-eval'),
// and it reroutes every connector together, which on a stack of 2,400 wires
// costs seconds where this routes only the wires in view, each on its own.

const STUB = 18
const MARGIN = 8
const CORNER = 6
const ARROW = 9

// createGrid indexes boxes ({id, minX, minY, maxX, maxY}) by cells, so a
// route asks only about the nodes near it.
export function createGrid (cell = 320) {
  const cells = new Map()
  let stamp = 0
  const key = (i, j) => i * 100003 + j
  const range = (a, b) => [Math.floor(a / cell), Math.floor(b / cell)]
  return {
    add (box) {
      const [i0, i1] = range(box.minX, box.maxX)
      const [j0, j1] = range(box.minY, box.maxY)
      for (let i = i0; i <= i1; i++) {
        for (let j = j0; j <= j1; j++) {
          const k = key(i, j)
          let list = cells.get(k)
          if (!list) cells.set(k, (list = []))
          list.push(box)
        }
      }
    },
    // each calls fn once for every box whose cells meet the query box.
    each (minX, minY, maxX, maxY, fn) {
      stamp++
      const [i0, i1] = range(minX, maxX)
      const [j0, j1] = range(minY, maxY)
      for (let i = i0; i <= i1; i++) {
        for (let j = j0; j <= j1; j++) {
          const list = cells.get(key(i, j))
          if (!list) continue
          for (const b of list) {
            if (b.seen === stamp) continue
            b.seen = stamp
            fn(b)
          }
        }
      }
    }
  }
}

// crossings counts the boxes a horizontal or vertical segment passes
// through (touching an edge is not crossing).
function crossings (grid, skip, x1, y1, x2, y2) {
  const minX = Math.min(x1, x2); const maxX = Math.max(x1, x2)
  const minY = Math.min(y1, y2); const maxY = Math.max(y1, y2)
  let n = 0
  grid.each(minX - MARGIN, minY - MARGIN, maxX + MARGIN, maxY + MARGIN, (b) => {
    if (b.id === skip[0] || b.id === skip[1]) return
    if (maxX > b.minX - MARGIN && minX < b.maxX + MARGIN && maxY > b.minY - MARGIN && minY < b.maxY + MARGIN) n++
  })
  return n
}

function cost (grid, skip, pts) {
  let hits = 0
  let len = 0
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]; const b = pts[i]
    hits += crossings(grid, skip, a.x, a.y, b.x, b.y)
    len += Math.abs(b.x - a.x) + Math.abs(b.y - a.y)
  }
  return hits * 1e6 + len + pts.length * 4
}

// candidates lists the x (vertical) or y (horizontal corridor) values worth
// trying between lo and hi: the ends, the middle and just beside each node
// edge in between.
function candidates (grid, lo, hi, across0, across1, vertical) {
  const out = [lo, hi, (lo + hi) / 2]
  const min = Math.min(lo, hi); const max = Math.max(lo, hi)
  const a0 = Math.min(across0, across1); const a1 = Math.max(across0, across1)
  const visit = (b) => {
    const e0 = vertical ? b.minX : b.minY
    const e1 = vertical ? b.maxX : b.maxY
    for (const v of [e0 - 2 * MARGIN, e1 + 2 * MARGIN]) if (v > min && v < max) out.push(v)
  }
  if (vertical) grid.each(min, a0, max, a1, visit)
  else grid.each(a0, min, a1, max, visit)
  return out
}

// route returns the points of a wire from s (leaving towards side ds: -1
// left, +1 right) to t (entered from side dt), avoiding the boxes of grid
// other than its own ends' nodes, skip ([from, to] node IDs).
export function route (grid, s, ds, t, dt, skip = []) {
  const a = { x: s.x + ds * STUB, y: s.y }
  const b = { x: t.x + dt * STUB, y: t.y }
  let best = null
  let bestCost = Infinity
  const consider = (pts) => {
    const c = cost(grid, skip, pts)
    if (c < bestCost) { best = pts; bestCost = c }
  }
  const forward = ds > 0 ? a.x <= b.x : a.x >= b.x
  if (forward && ds === -dt) {
    if (Math.abs(a.y - b.y) < 0.5) consider([s, t])
    if (bestCost >= 1e6) {
      for (const x of candidates(grid, a.x, b.x, a.y, b.y, true)) {
        consider([s, { x, y: s.y }, { x, y: t.y }, t])
      }
    }
  }
  if (!best || bestCost >= 1e6) {
    // Behind, or blocked: out to a corridor, across, and back in.
    const ys = candidates(grid, a.y, b.y, a.x, b.x, false)
    let top = Math.min(a.y, b.y); let bottom = Math.max(a.y, b.y)
    grid.each(Math.min(a.x, b.x), top, Math.max(a.x, b.x), bottom, (box) => {
      top = Math.min(top, box.minY); bottom = Math.max(bottom, box.maxY)
    })
    ys.push(top - 2 * MARGIN, bottom + 2 * MARGIN)
    for (const y of ys) consider([s, a, { x: a.x, y }, { x: b.x, y }, b, t])
  }
  return simplify(best)
}

// simplify drops points that do not turn.
function simplify (pts) {
  const out = [pts[0]]
  for (let i = 1; i < pts.length - 1; i++) {
    const p = out[out.length - 1]; const q = pts[i]; const r = pts[i + 1]
    if ((p.x === q.x && q.x === r.x) || (p.y === q.y && q.y === r.y)) continue
    if (p.x === q.x && p.y === q.y) continue
    out.push(q)
  }
  out.push(pts[pts.length - 1])
  return out
}

const r1 = (n) => Math.round(n * 10) / 10

// pathOf is the SVG path through pts with rounded corners, stopping short
// of the last point by the arrowhead's length.
export function pathOf (pts) {
  const last = pts[pts.length - 1]
  const prev = pts[pts.length - 2]
  const len = Math.hypot(last.x - prev.x, last.y - prev.y) || 1
  const cut = Math.min(ARROW, len)
  const end = { x: last.x - (last.x - prev.x) / len * cut, y: last.y - (last.y - prev.y) / len * cut }
  const p = pts.slice(0, -1).concat([end])
  let d = `M ${r1(p[0].x)} ${r1(p[0].y)}`
  for (let i = 1; i < p.length - 1; i++) {
    const a = p[i - 1]; const b = p[i]; const c = p[i + 1]
    const r = Math.min(CORNER, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2)
    const inX = b.x - Math.sign(b.x - a.x) * r; const inY = b.y - Math.sign(b.y - a.y) * r
    const outX = b.x + Math.sign(c.x - b.x) * r; const outY = b.y + Math.sign(c.y - b.y) * r
    d += ` L ${r1(inX)} ${r1(inY)} Q ${r1(b.x)} ${r1(b.y)} ${r1(outX)} ${r1(outY)}`
  }
  const z = p[p.length - 1]
  return d + ` L ${r1(z.x)} ${r1(z.y)}`
}

// arrowOf is the arrowhead at the last point, pointing along the last
// segment.
export function arrowOf (pts) {
  const t = pts[pts.length - 1]
  const p = pts[pts.length - 2]
  const len = Math.hypot(t.x - p.x, t.y - p.y) || 1
  const ux = (t.x - p.x) / len; const uy = (t.y - p.y) / len
  const bx = t.x - ux * ARROW; const by = t.y - uy * ARROW
  const w = ARROW * 0.55
  return `M ${r1(t.x)} ${r1(t.y)} L ${r1(bx - uy * w)} ${r1(by + ux * w)} L ${r1(bx + uy * w)} ${r1(by - ux * w)} Z`
}
