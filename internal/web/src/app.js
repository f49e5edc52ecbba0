// Entry point of the bundle: htmx, configured for a strict CSP and for
// Switchboard's responses, the global message toast, the canvas and Run
// locally.
import htmx from 'htmx.org'
import { initCanvas } from './canvas.js'
import { initEnvRows } from './env.js'
import { initDesign } from './design.js'
import { initRun } from './run.js'
import { showMessage } from './toast.js'

window.htmx = htmx

// The CSP forbids inline styles and eval: htmx must not inject its
// indicator <style> nor evaluate hx-on or js: values.
htmx.config.includeIndicatorStyles = false
htmx.config.allowEval = false
htmx.config.allowScriptTags = false
// Settling copies the old element's attributes onto the new one with
// setAttribute; for `style` the strict CSP refuses that (style-src-attr)
// and reports a violation per swapped node. Nothing here animates styles.
htmx.config.attributesToSettle = ['class', 'width', 'height']
// ...so settling need not wait a frame for a transition: new content is
// placed (canvas/geometry.js) and selected before it is first painted.
htmx.config.defaultSettleDelay = 0
// 422 carries a form with its errors and 409 the fresh state of a stack:
// both are meant to be swapped, which htmx 2 does not do for 4xx by
// default (htmx.org/quirks). Other errors go to the toast.
htmx.config.responseHandling = [
  { code: '204', swap: false },
  { code: '[23]..', swap: true },
  { code: '422', swap: true },
  { code: '409', swap: true },
  { code: '[45]..', swap: false, error: true }
]

// showMessage: the server's HX-Trigger for a message to the user.
document.body.addEventListener('showMessage', (e) => {
  showMessage(e.detail.text, e.detail.level)
})

// One toast for every failed request (Gitea web_src/js/htmx.ts).
document.body.addEventListener('htmx:responseError', (e) => {
  const xhr = e.detail.xhr
  let text = ''
  try {
    const doc = new DOMParser().parseFromString(xhr.responseText, 'text/html')
    text = doc.querySelector('[role=alert]')?.textContent?.trim() ?? ''
  } catch (_) { /* not HTML */ }
  showMessage(text || `The server answered ${xhr.status} ${xhr.statusText}.`, 'error')
})
document.body.addEventListener('htmx:sendError', () => {
  showMessage('The server could not be reached. Is switchboard serve still running?', 'error')
})

initCanvas(htmx)
initEnvRows(document.body)
initDesign()
initRun(htmx)
