import { Type, type TSchema } from '@sinclair/typebox'

/** Every admin list answers `{items}`, never a bare array, so a list can gain fields (a page's `next`) without breaking readers. */
export const ListOfSchema = <Item extends TSchema>(item: Item) => Type.Object({ items: Type.Array(item) })
