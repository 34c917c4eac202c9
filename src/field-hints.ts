// How a script_config field is shown to people, said in its schema beside its `title` (the label) and
// `description` (one line of help): the OpenAPI document publishes them as extensions, the dashboard's New task
// form reads them there. One place for the words and the hints: the schema.
import type { Platform } from "./domain.ts";

export type FieldValue = string | number | boolean;

/** The field is another spelling of `field` (the one that wins when both are given): the form shows one box. */
export const synonymOf = (field: string) => ({ "x-synonym-of": field });

/** The field applies only while each named field of the same config has one of the values listed. */
export const showWhen = (when: Record<string, readonly FieldValue[]>) => ({ "x-show-when": when });

/** The field applies to these apps only. */
export const onlyOn = (...platforms: Platform[]) => ({ "x-platforms": platforms });
