// The minimap: the whole stack in a corner of the viewport, nodes as boxes
// in their kind's colour and the part in view as a frame. Pressing or
// dragging on it centres the view there.
const WIDTH = 200
const HEIGHT = 140
const PAD = 6
const FOLLOW_MS = 100
const COLOURS = { api: '#6b4ce6', function: '#e0720b', table: '#1f7ae0', other: '#8a93a6' }

export function initMinimap (c) {
  const { viewport, view, scene } = c
  const canvas = document.createElement('canvas')
  canvas.className = 'minimap'
  canvas.dataset.testid = 'minimap'
  canvas.setAttribute('role', 'img')
  canvas.setAttribute('aria-label', 'Minimap of the stack; click to move the view there')
  viewport.append(canvas)
  const dpr = window.devicePixelRatio || 1
  canvas.width = WIDTH * dpr
  canvas.height = HEIGHT * dpr

  let frame = 0
  // map is the world box drawn and its scale.
  let map = null
  // The nodes are painted once into nodesCanvas for a map; a pan within
  // the stack only draws it and the frame again.
  const nodesCanvas = document.createElement('canvas')
  nodesCanvas.width = canvas.width
  nodesCanvas.height = canvas.height
  let nodesKey = ''
  function paint () {
    frame = 0
    const b = scene.bounds()
    const ctx = canvas.getContext('2d')
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.clearRect(0, 0, canvas.width, canvas.height)
    canvas.hidden = !b
    if (!b) return
    const vis = view.visible()
    // The map shows the stack and the view together, so the frame never
    // leaves it.
    const box = { minX: Math.min(b.minX, vis.minX), minY: Math.min(b.minY, vis.minY), maxX: Math.max(b.maxX, vis.maxX), maxY: Math.max(b.maxY, vis.maxY) }
    const s = Math.min((WIDTH - 2 * PAD) / (box.maxX - box.minX), (HEIGHT - 2 * PAD) / (box.maxY - box.minY))
    const ox = PAD + ((WIDTH - 2 * PAD) - (box.maxX - box.minX) * s) / 2 - box.minX * s
    const oy = PAD + ((HEIGHT - 2 * PAD) - (box.maxY - box.minY) * s) / 2 - box.minY * s
    map = { s, ox, oy }
    const key = `${scene.version()},${s},${ox},${oy}`
    if (key !== nodesKey) {
      nodesKey = key
      const nc = nodesCanvas.getContext('2d')
      nc.setTransform(dpr, 0, 0, dpr, 0, 0)
      nc.clearRect(0, 0, WIDTH, HEIGHT)
      scene.forEachNode((n) => {
        nc.fillStyle = COLOURS[n.kind] || COLOURS.other
        const w = Math.max(1, (n.box.maxX - n.box.minX) * s)
        const h = Math.max(1, (n.box.maxY - n.box.minY) * s)
        nc.fillRect(ox + n.box.minX * s, oy + n.box.minY * s, w, h)
      })
    }
    ctx.drawImage(nodesCanvas, 0, 0)
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.strokeStyle = '#1d2330'
    ctx.lineWidth = 1.5
    ctx.strokeRect(ox + vis.minX * s, oy + vis.minY * s, (vis.maxX - vis.minX) * s, (vis.maxY - vis.minY) * s)
  }
  const schedule = () => { if (!frame) frame = requestAnimationFrame(paint) }
  // While the view moves the map follows a few times a second, not at
  // every frame: each new picture is a texture for the compositor to take.
  let lastPaint = 0
  let follow = 0
  const paintSoon = () => {
    lastPaint = performance.now()
    schedule()
  }
  view.onChange((v, moving) => {
    clearTimeout(follow)
    const since = performance.now() - lastPaint
    if (!moving || since >= FOLLOW_MS) return paintSoon()
    follow = setTimeout(paintSoon, FOLLOW_MS - since)
  })
  scene.onChange(schedule)

  // centreAt centres the view on the world point under a minimap pixel.
  function centreAt (e) {
    if (!map) return
    const r = canvas.getBoundingClientRect()
    const wx = (e.clientX - r.left - map.ox) / map.s
    const wy = (e.clientY - r.top - map.oy) / map.s
    const v = view.get()
    view.set({ ...v, x: viewport.clientWidth / 2 - wx * v.z, y: viewport.clientHeight / 2 - wy * v.z })
  }
  let dragging = false
  canvas.addEventListener('pointerdown', (e) => {
    // Not a pan or a selection of the canvas underneath.
    e.stopPropagation()
    if (e.button !== 0) return
    dragging = true
    canvas.setPointerCapture?.(e.pointerId)
    centreAt(e)
  })
  canvas.addEventListener('pointermove', (e) => { if (dragging) centreAt(e) })
  canvas.addEventListener('pointerup', () => { dragging = false })
  schedule()
}
