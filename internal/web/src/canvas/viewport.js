// The viewport: panning and zooming are the world's transform, kept per
// stack in sessionStorage; the viewport element itself never scrolls. A
// wheel or two-finger trackpad swipe pans; ctrl+wheel (what a pinch sends)
// zooms. The transform is written once per animation frame however many
// events arrive, and listeners (the scene, the minimap) hear of each change
// then, told whether the view is still moving.
//
// While it moves the viewport has the class "moving": the world is its own
// compositor layer (app.css), so a frame is a new transform for the
// compositor, not a repaint of every node; and nothing here reads layout,
// which would force the browser to lay out the page again in the frame.
// SETTLE_MS after the last change the view has settled, and listeners draw
// it properly (crisp, culled, wires' paths written).

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
// SETTLE_MS is how long the view holds still before it counts as settled:
// longer than the gap between a trackpad's wheel events.
const SETTLE_MS = 140

const clampZoom = (z) => Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, z))

// bounds is a function returning the world box of everything drawn
// ({minX, minY, maxX, maxY}), or null for an empty stack.
export function createViewport (editor, viewport, world, bounds) {
  const viewKey = 'switchboard:view:' + editor.dataset.base
  let view = { ...HOME }
  let frame = 0
  let saveTimer = 0
  let flight = 0
  let moving = false
  let settleTimer = 0
  // box is the viewport's place and size, read once per gesture (and
  // after a resize), not at every wheel event.
  let box = null
  const listeners = []

  function draw () {
    frame = 0
    world.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.z})`
    // Written once the view settles: new text at every frame is a layout
    // and a repaint of the toolbar.
    const label = editor.querySelector('[data-zoom]')
    const zoom = Math.round(view.z * 100) + '%'
    if (label && label.textContent !== zoom && !moving) label.textContent = zoom
    for (const fn of listeners) fn(view, moving)
  }
  function settle () {
    moving = false
    box = null
    viewport.classList.remove('moving')
    if (!frame) frame = requestAnimationFrame(draw)
  }
  function set (v, { keepFlight = false } = {}) {
    if (!keepFlight) cancelAnimationFrame(flight)
    view = v
    if (!moving) {
      moving = true
      viewport.classList.add('moving')
    }
    clearTimeout(settleTimer)
    settleTimer = setTimeout(settle, SETTLE_MS)
    if (!frame) frame = requestAnimationFrame(draw)
    clearTimeout(saveTimer)
    saveTimer = setTimeout(() => {
      try { sessionStorage.setItem(viewKey, JSON.stringify(view)) } catch (_) {}
    }, 200)
  }
  function measure () {
    if (!box || !moving) {
      const r = viewport.getBoundingClientRect()
      box = { left: r.left, top: r.top, w: viewport.clientWidth, h: viewport.clientHeight }
    }
    return box
  }
  const size = () => measure()
  function toWorld (clientX, clientY) {
    const r = measure()
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
    const r = measure()
    set({ x: clientX - r.left - w.x * z, y: clientY - r.top - w.y * z, z })
  }
  function zoomBy (factor) {
    const r = measure()
    zoomAt(view.z * factor, r.left + r.w / 2, r.top + r.h / 2)
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
  // While the view moves the world takes no pointer events (app.css): a
  // wheel event or a mouse move there would hit-test hundreds of wires, at
  // every frame. A press then ends the movement at once and goes to what is
  // under the pointer.
  viewport.addEventListener('pointerdown', (e) => {
    if (!moving) return
    clearTimeout(settleTimer)
    settle()
    const under = document.elementFromPoint(e.clientX, e.clientY)
    if (!under || under === e.target || !world.contains(under)) return
    e.stopImmediatePropagation()
    under.dispatchEvent(new PointerEvent('pointerdown', e))
  }, true)
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
  new ResizeObserver(() => {
    box = null
    if (!frame) frame = requestAnimationFrame(draw)
  }).observe(viewport)

  return {
    get: () => view,
    size,
    moving: () => moving,
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
