// Room to work: the palette and the side panel are resized by dragging
// their edge (or with the arrow keys on it) and hidden with their button;
// the sizes are remembered per browser. The grid reads them as CSS
// variables set through the CSSOM, which the CSP allows.

const KEY = 'switchboard:room'
const STEP = 20
const sides = {
  // grow is +1 when dragging right widens the column.
  palette: { grow: 1, min: 140, max: () => 360, cssVar: '--palette-w' },
  sidebar: { grow: -1, min: 260, max: () => Math.max(320, Math.round(window.innerWidth * 0.7)), cssVar: '--sidebar-w' }
}

export function initRoom (editor) {
  let state = {}
  try { state = JSON.parse(localStorage.getItem(KEY) || '{}') || {} } catch (_) {}
  const save = () => { try { localStorage.setItem(KEY, JSON.stringify(state)) } catch (_) {} }
  const column = (id) => document.getElementById(id)
  const width = (id) => state[id]?.width ?? Math.round(column(id).getBoundingClientRect().width)

  function apply (id) {
    const s = sides[id]
    const st = state[id] ?? {}
    if (st.width) editor.style.setProperty(s.cssVar, st.width + 'px')
    else editor.style.removeProperty(s.cssVar)
    editor.classList.toggle(id + '-collapsed', !!st.collapsed)
    const toggle = editor.querySelector(`[data-side-toggle="${id}"]`)
    const what = id === 'palette' ? 'palette' : 'side panel'
    toggle?.setAttribute('aria-expanded', String(!st.collapsed))
    toggle?.setAttribute('aria-label', (st.collapsed ? 'Show the ' : 'Hide the ') + what)
    toggle?.setAttribute('title', (st.collapsed ? 'Show the ' : 'Hide the ') + what)
    const sep = editor.querySelector(`[data-side-resize="${id}"]`)
    if (sep) {
      sep.setAttribute('aria-valuemin', String(s.min))
      sep.setAttribute('aria-valuemax', String(s.max()))
      sep.setAttribute('aria-valuenow', String(st.collapsed ? 0 : width(id)))
      sep.hidden = !!st.collapsed
    }
  }
  function resize (id, w) {
    const s = sides[id]
    state[id] = { ...state[id], width: Math.round(Math.min(s.max(), Math.max(s.min, w))), collapsed: false }
    apply(id)
  }
  function toggle (id) {
    state[id] = { ...state[id], collapsed: !state[id]?.collapsed }
    apply(id)
    save()
  }

  editor.addEventListener('click', (e) => {
    const t = e.target.closest('[data-side-toggle]')
    if (t) toggle(t.dataset.sideToggle)
  })
  editor.addEventListener('pointerdown', (e) => {
    const sep = e.target.closest('[data-side-resize]')
    if (!sep || e.button !== 0) return
    e.preventDefault()
    const id = sep.dataset.sideResize
    const start = { x: e.clientX, w: width(id) }
    sep.setPointerCapture?.(e.pointerId)
    editor.classList.add('resizing')
    const move = (ev) => resize(id, start.w + sides[id].grow * (ev.clientX - start.x))
    const up = () => {
      sep.removeEventListener('pointermove', move)
      sep.removeEventListener('pointerup', up)
      editor.classList.remove('resizing')
      save()
    }
    sep.addEventListener('pointermove', move)
    sep.addEventListener('pointerup', up)
  })
  editor.addEventListener('keydown', (e) => {
    const sep = e.target.closest?.('[data-side-resize]')
    if (!sep) return
    const id = sep.dataset.sideResize
    const s = sides[id]
    const step = { ArrowLeft: -STEP, ArrowRight: STEP }[e.key]
    if (step) resize(id, width(id) + s.grow * step)
    else if (e.key === 'Home') resize(id, s.min)
    else if (e.key === 'End') resize(id, s.max())
    else if (e.key === 'Enter') return toggle(id)
    else return
    e.preventDefault()
    save()
  })
  for (const id of Object.keys(sides)) if (column(id)) apply(id)
  fitToolbar(editor.querySelector('.toolbar'))
}

// fitToolbar shows the toolbar's labels only while they fit on its one
// line, whatever buttons it holds and however wide the canvas is.
function fitToolbar (toolbar) {
  if (!toolbar) return
  let full = 0 // the width the toolbar needs with its labels
  const fit = () => {
    if (!toolbar.classList.contains('compact')) full = toolbar.scrollWidth
    toolbar.classList.toggle('compact', full > toolbar.clientWidth + 1)
  }
  new ResizeObserver(fit).observe(toolbar)
  fit()
}
