// A problem picked in the Problems tab shows where it is: the canvas's
// selection handles its node (data-select); this marks its route's row on
// the canvas and, once the node's panel is in, focuses and marks the field
// at fault (data-problem-route, data-problem-field, rendered by the server).
export function initProblemMarks (editor) {
  let pendingField = null
  const clear = () => {
    document.querySelectorAll('.problem-mark').forEach((el) => el.classList.remove('problem-mark'))
    document.querySelectorAll('.problem-field-mark').forEach((el) => el.classList.remove('problem-field-mark'))
  }
  // Capture: runs before the canvas's own click handler selects the node.
  editor.addEventListener('click', (e) => {
    const problem = e.target.closest('[data-problem-field], [data-problem-route]')
    if (!problem) return
    clear()
    const node = problem.dataset.select && document.getElementById(problem.dataset.select)
    const route = problem.dataset.problemRoute
    if (node && route) {
      node.querySelector(`[data-route="${CSS.escape(route)}"]`)?.classList.add('problem-mark')
    }
    pendingField = problem.dataset.problemField || null
  }, true)
  document.body.addEventListener('htmx:afterSettle', (e) => {
    if (!pendingField || e.detail.target?.id !== 'panel') return
    const field = document.getElementById(pendingField)
    pendingField = null
    if (!field) return
    field.classList.add('problem-field-mark')
    field.focus({ preventScroll: false })
  })
  // A new selection by hand ends the marks.
  editor.addEventListener('pointerdown', (e) => {
    if (e.target.closest('#viewport')) clear()
  })
}
