/**
 * HubSpot's rule for definition fields: each CRM-style `type` and the `fieldType` controls allowed with it, as
 * inputs "mimic CRM properties" (hubspot.md §1.4). Narrower than the enum lists, which allow any mix.
 */
export const VALID_FIELD_TYPES: Record<string, string[]> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  enumeration: ['booleancheckbox', 'checkbox', 'radio', 'select', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  string: ['file', 'text', 'textarea', 'calculation_equation', 'html', 'phonenumber'],
  number: ['number', 'calculation_equation'],
  object_coordinates: ['text'],
  json: ['text'],
  phone_number: ['phonenumber']
}
