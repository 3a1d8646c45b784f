import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A validator for OCSF events, resolved from the schema's own JSON files (test/ocsf-schema-1.1.0/), as the OCSF
 * server compiles them:
 * - a class's attributes are its parents' (`extends`, up to base_event), merged with its own;
 * - an `$include` brings a file's attributes in under the including file's; a profile's attributes are tagged with
 *   the profile, and exist in an event only when `metadata.profiles` applies it (which also makes its required
 *   attributes required);
 * - each attribute's type, array-ness, enum and sibling come from dictionary.json, refined by the class or object
 *   (enums merge: the dictionary's Unknown/Other plus the class's values);
 * - objects resolve the same way (`extends`, `$include`, constraints), and the class's own uids become the enums of
 *   class_uid, category_uid and type_uid.
 * An event is checked for required attributes, attributes the class does not define, types (object types
 * recursively; string max_len, regex and range from the type chain), enum ids, enum siblings naming their caption,
 * and object constraints (at_least_one, just_one).
 */

type Json = Record<string, unknown>

export interface Attr {
  type: string
  isArray: boolean
  requirement: 'required' | 'recommended' | 'optional'
  enum?: Record<string, { caption?: string }>
  sibling?: string
  profile?: string
}

interface Resolved {
  name: string
  caption: string
  attributes: Map<string, Attr>
  constraints?: { at_least_one?: string[]; just_one?: string[] }
}

export interface EventClass extends Resolved {
  uid: number
  categoryUid: number
  profiles: Set<string>
}

interface Primitive {
  base: 'string_t' | 'integer_t' | 'long_t' | 'float_t' | 'boolean_t' | 'json_t'
  maxLen?: number
  regex?: RegExp
  range?: [number, number]
}

const PRIMITIVE_BASES = new Set(['string_t', 'integer_t', 'long_t', 'float_t', 'boolean_t', 'json_t'])

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `over` merged into `base`, objects key by key (so an enum gains values and keeps the dictionary's). */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over
  const out: Json = { ...base }
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v)
  return out
}

export class OcsfSchema {
  private readonly dictionary: Json
  private readonly types: Record<string, Json>
  private readonly objects = new Map<string, Resolved>()

  constructor(private readonly root: string) {
    const dict = this.read('dictionary.json')
    this.dictionary = dict.attributes as Json
    this.types = (dict.types as { attributes: Record<string, Json> }).attributes
  }

  private read(path: string): Json {
    return JSON.parse(readFileSync(join(this.root, path), 'utf8')) as Json
  }

  /** A file's attribute definitions as written, with its `$include`s merged under them and profiles tagged. */
  private rawAttributes(file: Json): Json {
    const own = { ...((file.attributes as Json | undefined) ?? {}) }
    const includes = own.$include
    delete own.$include
    let merged: Json = {}
    for (const path of Array.isArray(includes) ? includes : includes ? [includes] : []) {
      const inc = this.read(path as string)
      let attrs = this.rawAttributes(inc)
      if (inc.meta === 'profile')
        attrs = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { ...(v as Json), profile: inc.name }]))
      merged = deepMerge(merged, attrs) as Json
    }
    return deepMerge(merged, own) as Json
  }

  /** Each attribute completed from the dictionary and checked to exist there. */
  private complete(owner: string, raw: Json): Map<string, Attr> {
    const out = new Map<string, Attr>()
    for (const [name, def] of Object.entries(raw)) {
      const dict = this.dictionary[name] as Json | undefined
      if (!dict) throw new Error(`${owner}.${name}: not in dictionary.json`)
      const a = deepMerge(dict, def) as Json
      out.set(name, {
        type: a.type as string,
        isArray: a.is_array === true,
        requirement: (a.requirement as Attr['requirement'] | undefined) ?? 'optional',
        ...(a.enum ? { enum: a.enum as Attr['enum'] } : {}),
        ...(a.sibling ? { sibling: a.sibling as string } : {}),
        ...(a.profile ? { profile: a.profile as string } : {}),
      })
    }
    return out
  }

  private rawObject(name: string): { file: Json; attrs: Json; constraints?: Resolved['constraints'] } {
    const file = this.read(`objects/${name}.json`)
    const own = this.rawAttributes(file)
    if (typeof file.extends === 'string' && file.extends !== 'object') {
      const parent = this.rawObject(file.extends)
      return {
        file,
        attrs: deepMerge(parent.attrs, own) as Json,
        constraints: (file.constraints as Resolved['constraints']) ?? parent.constraints,
      }
    }
    return { file, attrs: own, ...(file.constraints ? { constraints: file.constraints } : {}) }
  }

  object(name: string): Resolved {
    let o = this.objects.get(name)
    if (!o) {
      const raw = this.rawObject(name)
      o = {
        name,
        caption: raw.file.caption as string,
        attributes: this.complete(name, raw.attrs),
        ...(raw.constraints ? { constraints: raw.constraints } : {}),
      }
      this.objects.set(name, o)
    }
    return o
  }

  private rawClass(path: string): { file: Json; attrs: Json; profiles: string[] } {
    const file = this.read(path)
    const own = this.rawAttributes(file)
    const profiles = (file.profiles as string[] | undefined) ?? []
    if (typeof file.extends !== 'string') return { file, attrs: own, profiles }
    const parentPath = file.extends === 'base_event' ? 'events/base_event.json' : `events/${file.category as string}/${file.extends}.json`
    const parent = this.rawClass(parentPath)
    return { file, attrs: deepMerge(parent.attrs, own) as Json, profiles: [...parent.profiles, ...profiles] }
  }

  /** `path`: the class file under events/, e.g. `findings/detection_finding.json`. */
  eventClass(path: string): EventClass {
    const { file, attrs, profiles } = this.rawClass(`events/${path}`)
    const categories = this.read('categories.json').attributes as Record<string, { uid: number; caption: string }>
    const category = categories[file.category as string]
    if (!category) throw new Error(`${path}: unknown category ${String(file.category)}`)
    const uid = category.uid * 1000 + (file.uid as number)
    const attributes = this.complete(file.name as string, attrs)
    // What the OCSF server derives for each class: its own uids as the enums of the classification attributes.
    const caption = file.caption as string
    const activities = attributes.get('activity_id')!.enum!
    attributes.get('class_uid')!.enum = { [uid]: { caption } }
    attributes.get('category_uid')!.enum = { [category.uid]: { caption: category.caption } }
    attributes.get('type_uid')!.enum = Object.fromEntries(
      Object.entries(activities).map(([id, a]) => [String(uid * 100 + Number(id)), { caption: `${caption}: ${a.caption ?? ''}` }]),
    )
    attributes.get('type_uid')!.sibling = 'type_name'
    attributes.get('class_uid')!.sibling = 'class_name'
    attributes.get('category_uid')!.sibling = 'category_name'
    return { name: file.name as string, caption, uid, categoryUid: category.uid, profiles: new Set(profiles), attributes }
  }

  private primitive(type: string): Primitive | undefined {
    let t: string | undefined = type
    const p: Omit<Primitive, 'base'> = {}
    while (t && !PRIMITIVE_BASES.has(t)) {
      const def = this.types[t]
      if (!def) return undefined
      if (def.max_len !== undefined && p.maxLen === undefined) p.maxLen = def.max_len as number
      if (def.regex !== undefined && p.regex === undefined) p.regex = new RegExp(def.regex as string)
      if (def.range !== undefined && p.range === undefined) p.range = def.range as [number, number]
      t = def.type as string | undefined
    }
    if (!t) return undefined
    const base = this.types[t]!
    if (base.max_len !== undefined && p.maxLen === undefined) p.maxLen = base.max_len as number
    return { base: t as Primitive['base'], ...p }
  }

  /** Every way `event` departs from the class; empty when it is valid. */
  validate(cls: EventClass, event: unknown): string[] {
    const errors: string[] = []
    if (!isPlainObject(event)) return ['the event is not a JSON object']
    const meta = event.metadata
    const applied = new Set<string>(isPlainObject(meta) && Array.isArray(meta.profiles) ? (meta.profiles as string[]) : [])
    for (const p of applied) if (!cls.profiles.has(p)) errors.push(`metadata.profiles: ${p} is not a profile of ${cls.name}`)
    this.checkObject(cls, event, '', applied, errors)
    return errors
  }

  private checkObject(def: Resolved, value: Json, path: string, applied: Set<string>, errors: string[]): void {
    const at = (k: string): string => (path ? `${path}.${k}` : k)
    for (const [name, attr] of def.attributes) {
      const present = value[name] !== undefined && value[name] !== null
      if (attr.profile && !applied.has(attr.profile)) {
        if (present) errors.push(`${at(name)}: belongs to the ${attr.profile} profile, which metadata.profiles does not apply`)
        continue
      }
      if (!present) {
        if (attr.requirement === 'required') errors.push(`${at(name)}: required by ${def.name}, missing`)
        continue
      }
      this.checkAttr(attr, value[name], at(name), value, applied, errors)
    }
    for (const k of Object.keys(value)) if (!def.attributes.has(k)) errors.push(`${at(k)}: not an attribute of ${def.name}`)
    const has = (k: string): boolean => value[k] !== undefined && value[k] !== null
    const c = def.constraints
    if (c?.at_least_one && !c.at_least_one.some(has)) errors.push(`${path || def.name}: needs at least one of ${c.at_least_one.join(', ')}`)
    if (c?.just_one && c.just_one.filter(has).length !== 1)
      errors.push(`${path || def.name}: needs exactly one of ${c.just_one.join(', ')}`)
  }

  private checkAttr(attr: Attr, v: unknown, path: string, parent: Json, applied: Set<string>, errors: string[]): void {
    if (attr.isArray) {
      if (!Array.isArray(v)) return void errors.push(`${path}: not an array`)
      v.forEach((e, i) => this.checkValue(attr, e, `${path}[${i}]`, parent, applied, errors))
    } else this.checkValue(attr, v, path, parent, applied, errors)
  }

  private checkValue(attr: Attr, v: unknown, path: string, parent: Json, applied: Set<string>, errors: string[]): void {
    if (attr.type === 'object') {
      if (!isPlainObject(v)) errors.push(`${path}: not an object`)
      return
    }
    const prim = this.primitive(attr.type)
    if (!prim) {
      if (!isPlainObject(v)) return void errors.push(`${path}: not an object (${attr.type})`)
      this.checkObject(this.object(attr.type), v, path, applied, errors)
      return
    }
    switch (prim.base) {
      case 'string_t':
        if (typeof v !== 'string') return void errors.push(`${path}: not a string (${attr.type})`)
        if (prim.maxLen !== undefined && v.length > prim.maxLen) errors.push(`${path}: longer than ${prim.maxLen} (${attr.type})`)
        if (prim.regex && !prim.regex.test(v)) errors.push(`${path}: ${JSON.stringify(v)} is not a ${attr.type}`)
        break
      case 'integer_t':
        if (!Number.isInteger(v) || (v as number) < -(2 ** 31) || (v as number) >= 2 ** 31)
          return void errors.push(`${path}: not an integer (${attr.type})`)
        break
      case 'long_t':
        if (!Number.isSafeInteger(v)) return void errors.push(`${path}: not a long (${attr.type})`)
        break
      case 'float_t':
        if (typeof v !== 'number' || !Number.isFinite(v)) return void errors.push(`${path}: not a number (${attr.type})`)
        break
      case 'boolean_t':
        if (typeof v !== 'boolean') return void errors.push(`${path}: not a boolean`)
        break
      case 'json_t':
        break
    }
    if (prim.range && typeof v === 'number' && (v < prim.range[0] || v > prim.range[1]))
      errors.push(`${path}: outside ${prim.range.join('–')}`)
    if (attr.enum) {
      const e = attr.enum[String(v)]
      if (!e) return void errors.push(`${path}: ${String(v)} is not one of its enum ids (${Object.keys(attr.enum).join(', ')})`)
      const sibling = attr.sibling ? parent[attr.sibling] : undefined
      // The sibling carries the caption of the id; with 99 (Other) it names the source's own value.
      if (sibling !== undefined && Number(v) !== 99 && sibling !== e.caption)
        errors.push(
          `${path.replace(/[^.]+$/, attr.sibling!)}: ${JSON.stringify(sibling)} is not the caption of ${String(v)} (${e.caption})`,
        )
    }
  }
}
