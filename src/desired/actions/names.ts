/**
 * Names of everything generated for actions. They are part of the public
 * contract (callers invoke the functions by name), so they live in one place
 * and every one goes through fitIdentifier (63-byte limit, hash suffix).
 */
import { fitIdentifier } from '../../model/ident';

/** `<action>(p_<batch_field> jsonb)`: the set-based bulk insert function. */
export const bulkFunctionName = (action: string): string => fitIdentifier(action);
export const bulkParameterName = (batchField: string): string => fitIdentifier(`p_${batchField}`);

/** `<action>_queue`: rows waiting for the asynchronous workflow processor. */
export const queueTableName = (action: string): string => fitIdentifier(`${action}_queue`);
export const queuePrimaryKeyName = (action: string): string => fitIdentifier(`${action}_queue_pkey`);

/** `<action>_enqueue()`: statement trigger function copying inserted rows into the queue. */
export const enqueueFunctionName = (action: string): string => fitIdentifier(`${action}_enqueue`);

/** `<action>_process(p_batch_size integer DEFAULT 10000)`: drains the queue in batches. */
export const processFunctionName = (action: string): string => fitIdentifier(`${action}_process`);

/** `<action>_apply()`: synchronous mode, aggregated updates straight from the trigger. */
export const applyFunctionName = (action: string): string => fitIdentifier(`${action}_apply`);

/** The trigger on the source table, for both modes. */
export const insertTriggerName = (action: string): string => fitIdentifier(`${action}_on_insert`);

/** Transition table name used by the statement-level triggers. */
export const NEW_ROWS = 'new_rows';

/** Transaction-local setting with which the bulk function tells the enqueue trigger
 *  that it enqueues the rows itself (the disable_triggers hint). */
export const BULK_LOAD_SETTING = 'specql.bulk_load';
