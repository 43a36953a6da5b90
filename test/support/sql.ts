/**
 * Hand-built models stand in for what the spec loader produces, where every
 * expression is checked and deparsed (SqlExpression). Tests write that text
 * directly; the cast is confined to this one helper.
 */
import type { SqlExpression } from '../../src/model/expression';

export const sql = (text: string): SqlExpression => text as SqlExpression;
