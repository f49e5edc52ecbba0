// The viewport: panning and zooming are the world's transform, kept per
// stack in sessionStorage; the viewport element itself never scrolls.
import { pos } from './geometry.js'

const ZOOM_MIN = 0.2
const ZOOM_MAX = 2.5
const HOME = { x: 40, y: 40, z: 1 }
const FIT_PAD = 48
const FIT_ZOOM_MAX = 1.25

const clampZoom = (z) => Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, z))

export function createViewport (editor, viewport, world) {
  const viewKey = 'switchboard:view:' + editor.dataset.base
  let view = { ...HOME }

  function set (v) {
    view = v
    world.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.z})`
    const label = editor.querySelector('[data-zoom]')
    if (label) label.textContent = Math.round(view.z * 100) + '%'
    try { sessionStorage.setItem(viewKey, JSON.stringify(view)) } catch (_) {}
  }
  function toWorld (clientX, clientY) {
    const r = viewport.getBoundingClientRect()
    return { x: (clientX - r.left - view.x) / view.z, y: (clientY - r.top - view.y) / view.z }
  }
  function zoomAt (z, clientX, clientY) {
    z = clampZoom(z)
    const w = toWorld(clientX, clientY)
    const r = viewport.getBoundingClientRect()
    set({ x: clientX - r.left - w.x * z, y: clientY - r.top - w.y * z, z })
  }
  function zoomBy (factor) {
    const r = viewport.getBoundingClientRect()
    zoomAt(view.z * factor, r.left + r.width / 2, r.top + r.height / 2)
  }
  function fit () {
    const nodes = [...document.querySelectorAll('#nodes .node')]
    const r = viewport.getBoundingClientRect()
    if (nodes.length === 0) return set({ ...HOME })
    let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity
    for (const n of nodes) {
      const p = pos(n)
      minX = Math.min(minX, p.x); minY = Math.min(minY, p.y)
      maxX = Math.max(maxX, p.x + n.offsetWidth); maxY = Math.max(maxY, p.y + n.offsetHeight)
    }
    const z = clampZoom(Math.min((r.width - 2 * FIT_PAD) / (maxX - minX), (r.height - 2 * FIT_PAD) / (maxY - minY), FIT_ZOOM_MAX))
    set({ x: (r.width - (maxX - minX) * z) / 2 - minX * z, y: (r.height - (maxY - minY) * z) / 2 - minY * z, z })
  }
  // restore brings back the view this tab last had of the stack, or fits
  // the stack in the viewport.
  function restore () {
    try {
      const saved = JSON.parse(sessionStorage.getItem(viewKey) || 'null')
      if (saved && Number.isFinite(saved.z)) return set(saved)
    } catch (_) {}
    requestAnimationFrame(fit)
  }

  // Focusing a node (htmx restores focus after a swap) would otherwise
  // scroll the viewport, shifting everything under the pointer.
  viewport.addEventListener('scroll', () => {
    viewport.scrollLeft = 0
    viewport.scrollTop = 0
  })
  viewport.addEventListener('wheel', (e) => {
    e.preventDefault()
    if (e.ctrlKey || !e.shiftKey) {
      zoomAt(view.z * Math.exp(-e.deltaY * 0.0015), e.clientX, e.clientY)
    } else {
      set({ ...view, x: view.x - e.deltaY })
    }
  }, { passive: false })

  return { get: () => view, set, toWorld, zoomBy, fit, restore }
}
