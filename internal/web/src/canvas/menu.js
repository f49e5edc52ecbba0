// The context menu: the selection's actions (copy, paste, duplicate,
// connect, select all, delete) on a right-click, Shift+F10 or the menu key,
// and the same actions on their own keys. Arrow keys move through it,
// Escape closes it and gives the focus back.

// initMenu wires the menu and the action keys to the canvas c (see
// initCanvas); actions holds what each item does.
export function initMenu (c, actions) {
  const menu = document.getElementById('canvas-menu')
  if (!menu) return
  const items = () => [...menu.querySelectorAll('[role=menuitem]')]
  let returnFocus = null
  let at = null // where a paste from the menu lands, in canvas pixels

  function open (x, y, from) {
    returnFocus = from
    const hasNodes = c.selection.nodes().length > 0
    const hasAny = c.selection.all().length > 0
    const single = c.selection.nodes().length === 1
    for (const item of items()) {
      const a = item.dataset.menu
      const off = (a === 'copy' || a === 'duplicate') ? !hasNodes : a === 'delete' ? !hasAny : a === 'connect' ? !single : false
      item.setAttribute('aria-disabled', String(off))
    }
    menu.hidden = false
    const r = menu.getBoundingClientRect()
    menu.style.left = Math.min(x, window.innerWidth - r.width - 4) + 'px'
    menu.style.top = Math.min(y, window.innerHeight - r.height - 4) + 'px'
    ;(items().find((i) => i.getAttribute('aria-disabled') !== 'true') ?? items()[0]).focus()
  }
  function close (refocus = true) {
    if (menu.hidden) return
    menu.hidden = true
    if (refocus && returnFocus?.isConnected) returnFocus.focus({ preventScroll: true })
  }
  function run (action) {
    close()
    switch (action) {
      case 'copy': return actions.copy()
      case 'paste': return actions.paste(at)
      case 'duplicate': return actions.duplicate()
      case 'connect': return actions.connect()
      case 'select-all': return actions.selectAll()
      case 'delete': return c.selection.removeSelected()
    }
  }

  c.viewport.addEventListener('contextmenu', (e) => {
    e.preventDefault()
    const target = e.target.closest('.node, svg.wire[data-wire]')
    if (target && !c.selection.has(target.id)) c.selection.select(target.id)
    at = c.view.toWorld(e.clientX, e.clientY)
    open(e.clientX, e.clientY, target ?? c.viewport)
  })
  menu.addEventListener('click', (e) => {
    const item = e.target.closest('[data-menu]')
    if (item && item.getAttribute('aria-disabled') !== 'true') run(item.dataset.menu)
  })
  menu.addEventListener('keydown', (e) => {
    const list = items()
    const i = list.indexOf(document.activeElement)
    const step = { ArrowDown: 1, ArrowUp: -1 }[e.key]
    if (step) {
      e.preventDefault()
      list[(i + step + list.length) % list.length].focus()
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault()
      list[e.key === 'Home' ? 0 : list.length - 1].focus()
    } else if (e.key === 'Escape') {
      e.preventDefault()
      e.stopPropagation()
      close()
    } else if (e.key === 'Tab') {
      close(false)
    }
  })
  document.addEventListener('pointerdown', (e) => { if (!menu.contains(e.target)) close(false) })

  // The action keys, on the canvas only: in a field they keep their usual
  // meaning.
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || !menu.hidden) return
    if (e.target.closest?.('input, textarea, select, [contenteditable], dialog, .sidebar, .palette')) return
    const onCanvas = c.viewport.contains(e.target) || e.target === document.body
    if (!onCanvas) return
    const mod = e.ctrlKey || e.metaKey
    const key = e.key.toLowerCase()
    if ((e.shiftKey && e.key === 'F10') || e.key === 'ContextMenu') {
      e.preventDefault()
      const el = e.target.closest?.('.node, svg.wire[data-wire]')
      const r = (el ?? c.viewport).getBoundingClientRect()
      at = null
      return open(r.left + Math.min(r.width / 2, 32), r.top + Math.min(r.height / 2, 16), el ?? c.viewport)
    }
    if (mod && !e.shiftKey && !e.altKey) {
      const action = { c: 'copy', v: 'paste', d: 'duplicate', a: 'select-all' }[key]
      if (!action) return
      e.preventDefault()
      at = null
      return run(action)
    }
    if (!mod && !e.altKey && key === 'w' && e.target.closest?.('.node')) {
      e.preventDefault()
      return actions.connect()
    }
  })
}
