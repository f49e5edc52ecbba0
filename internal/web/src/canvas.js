// The canvas island (STYLE.md §6): the server renders every node and wire
// and decides every change; this module turns pointer and keyboard gestures
// into requests, moves pixels while a gesture lasts, and waits for the swap.
// It knows no routes and no geometry: URLs and node sizes come from data-*
// attributes. Each concern is a module of canvas/.
import { initGestures } from './canvas/gestures.js'
import { place, readGeometry } from './canvas/geometry.js'
import { initHistory } from './canvas/history.js'
import { initKeys } from './canvas/keys.js'
import { initLazyTabs } from './canvas/lazytabs.js'
import { initMorph } from './canvas/morph.js'
import { initProblemMarks } from './canvas/problems.js'
import { initTooltips } from './canvas/tooltips.js'
import { createWireTargets } from './canvas/wiretargets.js'
import { initMinimap } from './canvas/minimap.js'
import { initNavigation } from './canvas/navigate.js'
import { createScene } from './canvas/scene.js'
import { createSelection } from './canvas/selection.js'
import { createTransport, initQueue } from './canvas/transport.js'
import { createViewport } from './canvas/viewport.js'
import { createWires } from './canvas/wires.js'
import { initAnnouncements } from './canvas/announce.js'
import { createConnect } from './canvas/connect.js'
import { initMenu } from './canvas/menu.js'
import { createClipboard } from './canvas/multiselect.js'
import { initRoom } from './canvas/room.js'
import { initTemplateTab } from './canvas/template.js'
import { initFolderOffer } from './canvas/folder.js'
import { initLive } from './canvas/live.js'
import { initTypePicker } from './canvas/typepicker.js'
import { announce, showMessage } from './toast.js'

export function initCanvas (htmx) {
  const editor = document.getElementById('editor')
  initQueue(editor)
  if (!editor) return
  initMorph(htmx)
  initLazyTabs(htmx, editor)
  initTooltips(editor)
  initProblemMarks(editor)
  const viewport = document.getElementById('viewport')
  const transport = createTransport(htmx, editor, initHistory(editor))
  const world = document.getElementById('world')
  const overview = document.createElement('canvas')
  overview.className = 'overview'
  overview.setAttribute('aria-hidden', 'true')
  viewport.append(overview)
  const wireCanvas = document.createElement('canvas')
  wireCanvas.className = 'wire-canvas'
  wireCanvas.setAttribute('aria-hidden', 'true')
  viewport.prepend(wireCanvas)
  const scene = createScene(editor, viewport, world, overview, wireCanvas)
  const view = createViewport(editor, viewport, world, scene.bounds)
  view.onChange(scene.update)
  const wires = createWires(document.getElementById('draft-wire'), scene)
  const selection = createSelection(editor, transport)
  // moveNode moves a node's pixels, and its wires with it, until the
  // server answers.
  const moveNode = (el, x, y) => {
    el.dataset.x = String(Math.round(x))
    el.dataset.y = String(Math.round(y))
    place(el)
    wires.redraw(el.dataset.node)
  }
  const c = { editor, viewport, view, wires, selection, transport, geometry: readGeometry(editor), moveNode, announce, message: showMessage, wireTargets: createWireTargets(editor), scene, overview }
  initGestures(c)
  initKeys(c)
  initAnnouncements(c)
  const clipboard = createClipboard(c)
  const connect = createConnect(c)
  // A paste from the keyboard lands in the middle of the view.
  const middle = () => {
    const r = viewport.getBoundingClientRect()
    return view.toWorld(r.left + r.width / 3, r.top + r.height / 3)
  }
  initMenu(c, { ...clipboard, paste: (at) => clipboard.paste(at ?? middle()), connect: connect.open })
  initRoom(editor)
  initTemplateTab(c)
  initNavigation(c)
  initMinimap(c)
  initFolderOffer(htmx)
  initLive(htmx, c)
  initTypePicker(htmx)

  editor.addEventListener('click', (e) => {
    const action = e.target.closest('[data-action]')?.dataset.action
    switch (action) {
      case 'undo': return transport.undo()
      case 'redo': return transport.redo()
      case 'zoom-in': return view.zoomBy(1.2)
      case 'zoom-out': return view.zoomBy(1 / 1.2)
      case 'fit': return view.fit()
    }
    const tab = e.target.closest('[data-tab]')
    if (tab) return selection.showTab(tab.dataset.tab)
    const sel = e.target.closest('[data-select]')
    if (sel) selection.select(sel.dataset.select)
  })

  // Each swap brings nodes positioned by data-x/data-y, and may replace the
  // selected element.
  const layout = (root) => {
    root.querySelectorAll?.('.node').forEach(place)
    if (root.classList?.contains('node')) place(root)
    selection.apply()
  }
  htmx.onLoad(layout)
  view.restore()
  layout(editor)
  // Ready once the first view is drawn: until then the world is not
  // displayed (app.css), so no read of layout lays out thousands of nodes
  // and wires that the first frame culls.
  requestAnimationFrame(() => editor.classList.add('ready'))
}
