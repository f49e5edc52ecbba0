// Environment rows of the function panel (web.envFields). The rows are
// plain form fields the server reads in order; this module only adds and
// removes them. A removal saves at once, as any change does; an added row
// saves when it is filled in.

export function initEnvRows (root) {
  root.addEventListener('click', (e) => {
    const add = e.target.closest?.('[data-env-add]')
    if (add) {
      addRow(add.closest('[data-env]'))
      return
    }
    const remove = e.target.closest?.('[data-env-remove]')
    if (remove) removeRow(remove.closest('[data-env-row]'))
  })
}

function addRow (env) {
  const rows = env?.querySelector('[data-env-rows]')
  const tpl = env?.querySelector('template[data-env-template]')
  if (!rows || !tpl) return
  rows.append(tpl.content.cloneNode(true))
  number(rows)
  rows.lastElementChild?.querySelector('input[name="env.name"]')?.focus()
}

function removeRow (row) {
  const env = row?.closest('[data-env]')
  const form = row?.closest('form')
  if (!env || !form) return
  const next = row.nextElementSibling
  row.remove()
  number(env.querySelector('[data-env-rows]'))
  // Keyboard users keep their place: the next row, or the Add button.
  ;(next?.querySelector('input[name="env.name"]') ?? env.querySelector('[data-env-add]'))?.focus()
  form.dispatchEvent(new Event('change', { bubbles: true }))
}

// number gives the rows the ids the server gives them, by position, so
// htmx finds the focused field again after the panel is swapped.
function number (rows) {
  rows.querySelectorAll('[data-env-row]').forEach((row, i) => {
    const name = row.querySelector('input[name="env.name"]')
    const value = row.querySelector('textarea[name="env.value"]')
    if (name) name.id = 'f-env-name-' + i
    if (value) value.id = 'f-env-value-' + i
  })
}
