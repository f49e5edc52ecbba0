// Undo and Redo follow the stack's history: every edit's answer says what
// each would now do (X-Switchboard-Steps, from web.Steps.Header), and the
// buttons take its names and titles, disabled when there is nothing to do.
const STEPS = ['undo', 'redo']

export function initHistory (editor) {
  const button = (step) => editor.querySelector(`[data-action="${step}"]`)
  document.body.addEventListener('htmx:afterRequest', (e) => {
    const header = e.detail.xhr?.getResponseHeader('X-Switchboard-Steps')
    if (header == null) return
    const q = new URLSearchParams(header)
    for (const step of STEPS) {
      const b = button(step)
      if (!b) continue
      b.disabled = !q.has(step)
      if (q.has(step)) b.setAttribute('aria-label', q.get(step))
      else b.removeAttribute('aria-label')
      b.title = q.get(step + '-title') || ''
    }
  })
  // can tells whether a step has anything to do: a key press for a
  // disabled button asks nothing of the server.
  return { can: (step) => !button(step)?.disabled }
}
