// The viewport: panning and zooming are the world's transform, kept per
// stack in sessionStorage; the viewport element itself never scrolls. A
// wheel or two-finger trackpad swipe pans; ctrl+wheel (what a pinch sends)
// zooms. The transform is written once per animation frame however many
// events arrive, and listeners (the scene's culling, the minimap) hear of
// each change then.

// ZOOM_MIN is low enough for Fit to show a stack of thousands of resources;
// below the scene's far zoom it is drawn simplified (scene.js).
const ZOOM_MIN = 0.01
const ZOOM_MAX = 2.5
const HOME = { x: 40, y: 40, z: 1 }
const FIT_PAD = 48
const FIT_ZOOM_MAX = 1.25
// FOCUS_ZOOM is the least zoom a search result or selection is shown at,
// so its name can be read.
const FOCUS_ZOOM = 0.8
const FLY_MS = 260
// A wheel notch in lines or pages, in pixels.
const LINE = 16

const clampZoom = (z) => Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, z))

// bounds is a function returning the world box of everything drawn
// ({minX, minY, maxX, maxY}), or null for an empty stack.
export function createViewport (editor, viewport, world, bounds) {
  const viewKey = 'switchboard:view:' + editor.dataset.base
  let view = { ...HOME }
  let frame = 0
  let saveTimer = 0
  let flight = 0
  const listeners = []

  function draw () {
    frame = 0
    world.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.z})`
    const label = editor.querySelector('[data-zoom]')
    if (label) label.textContent = Math.round(view.z * 100) + '%'
    for (const fn of listeners) fn(view)
  }
  function set (v, { keepFlight = false } = {}) {
    if (!keepFlight) cancelAnimationFrame(flight)
    view = v
    if (!frame) frame = requestAnimationFrame(draw)
    clearTimeout(saveTimer)
    saveTimer = setTimeout(() => {
      try { sessionStorage.setItem(viewKey, JSON.stringify(view)) } catch (_) {}
    }, 200)
  }
  const size = () => ({ w: viewport.clientWidth, h: viewport.clientHeight })
  function toWorld (clientX, clientY) {
    const r = viewport.getBoundingClientRect()
    return { x: (clientX - r.left - view.x) / view.z, y: (clientY - r.top - view.y) / view.z }
  }
  // visible is the world box the viewport shows.
  function visible (v = view) {
    const { w, h } = size()
    return { minX: -v.x / v.z, minY: -v.y / v.z, maxX: (w - v.x) / v.z, maxY: (h - v.y) / v.z }
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
  // framing is the view that centres box, zoomed to fit it within zMin and
  // zMax.
  function framing (box, zMin, zMax) {
    const { w, h } = size()
    const bw = Math.max(1, box.maxX - box.minX)
    const bh = Math.max(1, box.maxY - box.minY)
    const z = clampZoom(Math.max(zMin, Math.min((w - 2 * FIT_PAD) / bw, (h - 2 * FIT_PAD) / bh, zMax)))
    return { x: (w - bw * z) / 2 - box.minX * z, y: (h - bh * z) / 2 - box.minY * z, z }
  }
  function fit () {
    const box = bounds()
    if (!box) return set({ ...HOME })
    set(framing(box, ZOOM_MIN, FIT_ZOOM_MAX))
  }
  // fly moves the view to target in a short animation, so the eye can
  // follow where it went.
  function fly (target) {
    cancelAnimationFrame(flight)
    if (matchMedia('(prefers-reduced-motion: reduce)').matches) return set(target)
    const from = { ...view }
    const t0 = performance.now()
    const step = (now) => {
      const t = Math.min(1, (now - t0) / FLY_MS)
      const e = t * (2 - t)
      // Zoom interpolates in log space, so it feels even.
      const z = Math.exp(Math.log(from.z) + (Math.log(target.z) - Math.log(from.z)) * e)
      // The world point at the viewport's centre moves linearly.
      const { w, h } = size()
      const c0 = { x: (w / 2 - from.x) / from.z, y: (h / 2 - from.y) / from.z }
      const c1 = { x: (w / 2 - target.x) / target.z, y: (h / 2 - target.y) / target.z }
      const cx = c0.x + (c1.x - c0.x) * e
      const cy = c0.y + (c1.y - c0.y) * e
      set({ x: w / 2 - cx * z, y: h / 2 - cy * z, z }, { keepFlight: true })
      if (t < 1) flight = requestAnimationFrame(step)
    }
    flight = requestAnimationFrame(step)
  }
  // focus flies to box, at a zoom where its text is readable, or closer
  // when it fits; when it is already in view at a readable zoom, only
  // enough to show it whole.
  function focus (box) {
    fly(framing(box, Math.max(view.z, FOCUS_ZOOM), Math.max(view.z, FOCUS_ZOOM)))
  }
  // zoomTo frames box (the selection), as close as fits.
  function zoomTo (box) {
    fly(framing(box, ZOOM_MIN, FIT_ZOOM_MAX))
  }
  // restore brings back the view this tab last had of the stack, or fits
  // the stack in the viewport.
  function restore () {
    try {
      const saved = JSON.parse(sessionStorage.getItem(viewKey) || 'null')
      if (saved && Number.isFinite(saved.z)) return set({ ...saved, z: clampZoom(saved.z) })
    } catch (_) {}
    fit()
  }

  // Focusing a node (htmx restores focus after a swap) would otherwise
  // scroll the viewport, shifting everything under the pointer.
  viewport.addEventListener('scroll', () => {
    viewport.scrollLeft = 0
    viewport.scrollTop = 0
  })
  viewport.addEventListener('wheel', (e) => {
    e.preventDefault()
    const unit = e.deltaMode === 1 ? LINE : e.deltaMode === 2 ? size().h : 1
    let dx = e.deltaX * unit
    let dy = e.deltaY * unit
    if (e.ctrlKey || e.metaKey) {
      zoomAt(view.z * Math.exp(-dy * 0.0015), e.clientX, e.clientY)
      return
    }
    // A mouse wheel with shift scrolls sideways.
    if (e.shiftKey && dx === 0) [dx, dy] = [dy, 0]
    set({ ...view, x: view.x - dx, y: view.y - dy })
  }, { passive: false })
  // A resized viewport shows more or less of the world: draw again,
  // without stopping a flight under way.
  new ResizeObserver(() => { if (!frame) frame = requestAnimationFrame(draw) }).observe(viewport)

  return {
    get: () => view,
    set,
    toWorld,
    visible,
    zoomBy,
    fit,
    focus,
    zoomTo,
    restore,
    onChange (fn) { listeners.push(fn) }
  }
}
