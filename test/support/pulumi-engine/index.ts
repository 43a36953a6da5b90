export { runStack, isDynamicType } from './engine';
export type { Mode, Op, ResourceEvent, RunResult, RunStackOptions, ConfigValue } from './engine';
export { UNKNOWN, SIG_KEY, SECRET_SIG } from './secrets';
export type { StackState, ResourceState } from './state';
