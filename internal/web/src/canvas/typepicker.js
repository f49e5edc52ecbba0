// The palette's picker of every CloudFormation type (kind_other.templ):
// from its search, ArrowDown moves to the results and Enter adds the first
// result for what was typed; among the results, ArrowUp and ArrowDown move.

export function initTypePicker (htmx) {
  const search = document.getElementById('type-search')
  const results = document.getElementById('type-results')
  if (!search || !results) return
  const choices = () => [...results.querySelectorAll('.type-choice')]
  // The results answer a search a moment after the typing (a debounce):
  // Enter before then waits for the ones of what was typed.
  const fresh = () => results.querySelector('[data-q]')?.dataset.q === search.value
  let pending = false
  const addFirst = () => {
    pending = false
    choices()[0]?.click()
  }
  search.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault()
      choices()[0]?.focus()
    } else if (e.key === 'Enter') {
      e.preventDefault()
      if (fresh()) return addFirst()
      pending = true
      htmx.trigger(search, 'search')
    }
  })
  results.addEventListener('htmx:afterSettle', () => {
    if (pending && fresh()) addFirst()
  })
  results.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return
    const all = choices()
    const i = all.indexOf(document.activeElement)
    if (i < 0) return
    e.preventDefault()
    if (e.key === 'ArrowUp' && i === 0) return search.focus()
    all[Math.min(all.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1))].focus()
  })
}
