// Node geometry has one home, web/geometry.go; the server renders it on
// #editor as data-* attributes and this module reads it, so the script
// holds no copy of the numbers.

// readGeometry returns the node sizes #editor carries, in canvas pixels.
export function readGeometry (editor) {
  const d = editor.dataset
  return { nodeWidth: Number(d.nodeWidth), headHeight: Number(d.headHeight) }
}

// dropOrigin is where a node dropped at p goes: centred on p horizontally,
// with p in the middle of its head.
export function dropOrigin (geometry, p) {
  return { x: Math.round(p.x - geometry.nodeWidth / 2), y: Math.round(p.y - geometry.headHeight / 2) }
}

// pos is a node's origin, which travels as data-x/data-y.
export const pos = (el) => ({ x: parseFloat(el.dataset.x) || 0, y: parseFloat(el.dataset.y) || 0 })

// place applies a node's origin through the CSSOM, which the CSP allows,
// unlike style attributes.
export function place (el) {
  const p = pos(el)
  el.style.left = p.x + 'px'
  el.style.top = p.y + 'px'
}

// bezier is web.BezierPath: M x1 y1 C x1+d y1, x2-d y2, x2 y2, d=|x2-x1|/2.
export function bezier (x1, y1, x2, y2) {
  const r = (n) => Math.round(n * 10) / 10
  const d = Math.abs(x2 - x1) * 0.5
  return `M ${r(x1)} ${r(y1)} C ${r(x1 + d)} ${r(y1)}, ${r(x2 - d)} ${r(y2)}, ${r(x2)} ${r(y2)}`
}
