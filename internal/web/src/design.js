// The Stack panel's helpers: the "parameter…" picker of a text field, which
// puts ${Name} in the field and saves it as a typed value would be, and the
// toolbar's Stack button, which shows the Properties tab it fills.

export function initDesign () {
  // Capture: the picker's own change must not reach the form's
  // hx-trigger="change" before the field holds the reference.
  document.addEventListener('change', (e) => {
    const pick = e.target.closest?.('[data-param-pick]')
    if (!pick) return
    e.stopPropagation()
    const name = pick.value
    pick.value = ''
    if (!name) return
    const row = pick.parentElement
    const field = row?.querySelector('textarea') ?? row?.querySelector('input:not([type=hidden])')
    if (!field) return
    field.value = '${' + name + '}'
    field.dispatchEvent(new Event('change', { bubbles: true }))
  }, true)
  document.addEventListener('click', (e) => {
    if (!e.target.closest?.('[data-stack-panel]')) return
    document.querySelector('[data-tab="panel"]')?.click()
  })
}
